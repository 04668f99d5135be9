package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

/** One client request as a method handler sees it. */
public record Request(Session session, JsonNode id, String method, JsonNode params, CallContext context) {

    /** The params object; an empty one when the request had none. */
    public ObjectNode paramsObject() {
        if (params == null || params.isNull() || params.isMissingNode()) {
            return Json.object();
        }
        if (!params.isObject()) {
            throw McpException.invalidParams("params of " + method + " must be an object");
        }
        return (ObjectNode) params;
    }

    public String requiredString(String field) {
        JsonNode v = paramsObject().get(field);
        if (v == null || !v.isTextual()) {
            throw McpException.invalidParams(method + " needs a string '" + field + "'");
        }
        return v.asText();
    }

    public ProtocolVersion version() {
        ProtocolVersion v = session.protocolVersion();
        return v == null ? ProtocolVersion.LATEST_LEGACY : v;
    }
}
