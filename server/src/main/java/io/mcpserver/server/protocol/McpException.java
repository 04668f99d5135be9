package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

/** A request failed with a JSON-RPC error the client should see: code, a message a person can act on, optional data. */
public class McpException extends RuntimeException {

    private final int code;
    private final transient JsonNode data;

    public McpException(int code, String message) {
        this(code, message, null);
    }

    public McpException(int code, String message, JsonNode data) {
        super(message, null, false, false);
        this.code = code;
        this.data = data;
    }

    public static McpException invalidParams(String message) {
        return new McpException(ErrorCodes.INVALID_PARAMS, message);
    }

    public static McpException invalidRequest(String message) {
        return new McpException(ErrorCodes.INVALID_REQUEST, message);
    }

    /**
     * A rate limit's refusal: -32000 with the retry hint in {@code data} ({@code retryAfterMs}, and
     * {@code retryAfterSeconds}, which HTTP sends as {@code Retry-After} with a 429).
     */
    public static McpException limitExceeded(String message, long waitNanos) {
        long ms = Math.max(1, (waitNanos + 999_999) / 1_000_000);
        ObjectNode data = Json.object();
        data.put("retryAfterMs", ms);
        data.put("retryAfterSeconds", (ms + 999) / 1000);
        return new McpException(ErrorCodes.LIMIT_EXCEEDED, message + "; retry after " + ms + " ms", data);
    }

    public int code() {
        return code;
    }

    public JsonNode data() {
        return data;
    }
}
