package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The names of the session-recovery extension on the wire (docs/transports.md#session-recovery), all in
 * {@code _meta} so that clients that do not know them ignore them.
 */
public final class ResumeMeta {

    /** In {@code initialize}'s params {@code _meta}: the opt-in, or a resume; in its result {@code _meta}: the token. */
    public static final String RESUME = "io.mcpserver/resume";
    /** The sequence number of a server→client message of a resumable session. */
    public static final String SEQ = "io.mcpserver/seq";
    /** In any client message's {@code _meta}: every message up to this sequence number arrived. */
    public static final String ACK = "io.mcpserver/ack";

    private ResumeMeta() {
    }

    /** The {@code io.mcpserver/resume} object of an initialize request's {@code _meta}, or null. */
    public static ObjectNode requested(JsonNode params) {
        JsonNode value = params == null ? null : params.path("_meta").get(RESUME);
        return value != null && value.isObject() ? (ObjectNode) value : null;
    }

    /**
     * The acknowledgement a client message carries: {@code params._meta} of a request or notification,
     * {@code result._meta} of a response; -1 when none.
     */
    static long acknowledged(JsonNode message) {
        if (message == null || !message.isObject()) {
            return -1;
        }
        JsonNode holder = message.has("method") ? message.get("params") : message.get("result");
        JsonNode ack = holder == null ? null : holder.path("_meta").get(ACK);
        return ack != null && ack.canConvertToLong() && ack.isIntegralNumber() ? ack.asLong() : -1;
    }

    /**
     * A copy of {@code message} numbered {@code seq}: in {@code params._meta} of a notification or request, in
     * {@code result._meta} of a result, in {@code error.data} of an error. Copies only the objects on the way, so
     * nodes shared with other sessions (a cached list page) are never changed.
     */
    static ObjectNode numbered(ObjectNode message, long seq) {
        ObjectNode out = message.objectNode();
        out.setAll(message);
        if (message.has("method")) {
            ObjectNode params = copyOrNew(out, "params");
            copyOrNew(params, "_meta").put(SEQ, seq);
        } else if (message.get("result") instanceof ObjectNode) {
            ObjectNode result = copyOrNew(out, "result");
            copyOrNew(result, "_meta").put(SEQ, seq);
        } else if (message.get("error") instanceof ObjectNode) {
            ObjectNode error = copyOrNew(out, "error");
            JsonNode data = error.get("data");
            if (data == null || data.isNull() || data.isObject()) {
                copyOrNew(error, "data").put(SEQ, seq);
            }
        }
        return out;
    }

    /** The child object {@code name} of {@code parent}, replaced by a shallow copy (or a new object). */
    private static ObjectNode copyOrNew(ObjectNode parent, String name) {
        JsonNode existing = parent.get(name);
        ObjectNode copy = parent.objectNode();
        if (existing instanceof ObjectNode o) {
            copy.setAll(o);
        }
        parent.set(name, copy);
        return copy;
    }
}
