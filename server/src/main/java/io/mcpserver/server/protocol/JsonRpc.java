package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

/** Builds and classifies JSON-RPC 2.0 messages. */
public final class JsonRpc {

    private JsonRpc() {
    }

    public enum Kind { REQUEST, NOTIFICATION, RESPONSE, INVALID }

    public static Kind kind(JsonNode message) {
        if (message == null || !message.isObject()) {
            return Kind.INVALID;
        }
        JsonNode version = message.get("jsonrpc");
        if (version == null || !version.isTextual() || !"2.0".equals(version.textValue())) { // 2.0 the number is not it
            return Kind.INVALID;
        }
        JsonNode method = message.get("method");
        boolean hasId = message.has("id");
        if (method != null) {
            if (!method.isTextual()) {
                return Kind.INVALID;
            }
            if (!hasId) {
                return Kind.NOTIFICATION;
            }
            return validId(message.get("id")) ? Kind.REQUEST : Kind.INVALID;
        }
        if (hasId && (message.has("result") || message.has("error"))) {
            return Kind.RESPONSE;
        }
        return Kind.INVALID;
    }

    /** MCP ids are strings or integers, never null. */
    public static boolean validId(JsonNode id) {
        return id != null && (id.isTextual() || id.isIntegralNumber());
    }

    public static ObjectNode request(JsonNode id, String method, JsonNode params) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.set("id", id);
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return m;
    }

    public static ObjectNode notification(String method, JsonNode params) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return m;
    }

    public static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.set("id", id);
        m.set("result", result == null ? Json.object() : result);
        return m;
    }

    public static ObjectNode error(JsonNode id, int code, String message, JsonNode data) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.set("id", id == null ? NullNode.getInstance() : id);
        ObjectNode error = m.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (data != null) {
            error.set("data", data);
        }
        return m;
    }

    public static ObjectNode error(JsonNode id, McpException e) {
        return error(id, e.code(), e.getMessage(), e.data());
    }

    /** The id of a message if it has a usable one, else JSON null (for error replies). */
    public static JsonNode idOrNull(JsonNode message) {
        JsonNode id = message != null && message.isObject() ? message.get("id") : null;
        return validId(id) ? id : NullNode.getInstance();
    }
}
