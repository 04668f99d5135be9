package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.Admission;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.ProtocolVersion;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;

import java.util.concurrent.atomic.AtomicReference;

/**
 * How the REST facade reaches the core: each route becomes one JSON-RPC request of the stateless era (2026-07-28,
 * its {@code _meta} filled in for the caller) on a one-request session of transport {@code rest}, submitted to the
 * one dispatcher. Admission (rate limits, access rules, the audit record, metrics, interceptors) is therefore the
 * same as on every other transport; the REST facade only translates in and out.
 */
final class RestCalls {

    static final String TRANSPORT = "rest";
    /** The id of every request: each runs on a session of its own, so it never collides. */
    static final JsonNode ID = IntNode.valueOf(1);

    private final McpCore core;

    RestCalls(McpCore core) {
        this.core = core;
    }

    McpCore core() {
        return core;
    }

    /** A request of the stateless era: {@code params} with the {@code _meta} a REST caller cannot send itself. */
    static ObjectNode request(String method, ObjectNode params, ObjectNode capabilities, JsonNode progressToken) {
        ObjectNode p = params == null ? Json.object() : params.deepCopy();
        JsonNode given = p.get("_meta");
        ObjectNode meta = given instanceof ObjectNode o ? o : Json.object();
        p.set("_meta", meta);
        meta.put(RequestMeta.PROTOCOL_VERSION, ProtocolVersion.V2026_07_28.id());
        meta.set(RequestMeta.CLIENT_CAPABILITIES, capabilities == null ? Json.object() : capabilities);
        meta.putObject(RequestMeta.CLIENT_INFO).put("name", "rest").put("version", "1");
        if (progressToken != null) {
            meta.set("progressToken", progressToken);
        }
        return JsonRpc.request(ID, method, p);
    }

    /** A one-request session of transport {@code rest} for {@code caller}; its messages go to {@code sink}. */
    Session session(Caller caller, MessageSink sink) {
        return core.sessions().stateless(TRANSPORT, caller, sink);
    }

    /**
     * Submits one request and, once admitted, runs it on this thread; returns the JSON-RPC response (a refusal's
     * error, or the request's response). Notifications it sends go to {@code notifications}.
     */
    ObjectNode call(Caller caller, String method, ObjectNode params, ObjectNode capabilities,
                    MessageSink notifications) {
        AtomicReference<ObjectNode> response = new AtomicReference<>();
        MessageSink sink = m -> {
            if (!m.has("method") && ID.equals(m.get("id"))) {
                response.set(m);
            } else {
                notifications.send(m);
            }
        };
        Session session = session(caller, sink);
        switch (core.dispatcher().submit(session, request(method, params, capabilities, null))) {
            case Admission.Refused refused -> {
                return refused.error();
            }
            case Admission.Admitted admitted -> admitted.run(sink);
            case Admission.Handled handled -> {
            }
        }
        ObjectNode answer = response.get();
        return answer != null ? answer : JsonRpc.error(ID, ErrorCodes.INTERNAL_ERROR,
                "Internal error: " + method + " ended without a response", null);
    }

    ObjectNode call(Caller caller, String method, ObjectNode params) {
        return call(caller, method, params, null, MessageSink.DISCARD);
    }

    /**
     * A result as a REST client reads it: without the stateless era's envelope ({@code resultType}, caching hints,
     * the server's info in {@code _meta}), which describe the JSON-RPC exchange rather than the answer.
     */
    static ObjectNode plain(JsonNode result) {
        ObjectNode r = result instanceof ObjectNode o ? o.deepCopy() : Json.object();
        r.remove("resultType");
        r.remove("ttlMs");
        r.remove("cacheScope");
        if (r.get("_meta") instanceof ObjectNode meta) {
            meta.remove(RequestMeta.SERVER_INFO);
            if (meta.isEmpty()) {
                r.remove("_meta");
            }
        }
        return r;
    }
}
