package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;

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

    public int code() {
        return code;
    }

    public JsonNode data() {
        return data;
    }
}
