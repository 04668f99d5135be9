package io.mcpserver.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers a request with a JSON-RPC error instead of a result: thrown from a tool, resource, template, prompt or
 * completion, it reaches the client as {@code {"code": code, "message": message, "data": data}}. Use it when the
 * request itself is wrong in a way the schema cannot say ({@link #invalidParams}: "start must be before end"); a tool
 * that ran and failed returns an error result instead ({@code ToolResult.error}, {@code ToolException}).
 *
 * <p>The code must be -32602 (invalid params), -32002 (resource not found), or an application code outside the range
 * JSON-RPC reserves (-32768 to -32000).
 */
public class McpProtocolException extends RuntimeException {

    /** JSON-RPC "invalid params". */
    public static final int INVALID_PARAMS = -32602;
    /** MCP "resource not found". */
    public static final int RESOURCE_NOT_FOUND = -32002;

    private final int code;
    private final Map<String, Object> data;

    /**
     * @param data JSON-able extra detail for the client, or null
     * @throws IllegalArgumentException for a code JSON-RPC reserves for the server itself
     */
    public McpProtocolException(int code, String message, Map<String, ?> data) {
        super(message, null, false, false); // an answer, not a fault: no stack trace to fill
        if (code >= -32768 && code <= -32000 && code != INVALID_PARAMS && code != RESOURCE_NOT_FOUND) {
            throw new IllegalArgumentException("JSON-RPC reserves code " + code + "; use -32602, -32002 or an "
                    + "application code outside -32768..-32000");
        }
        this.code = code;
        this.data = data == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public McpProtocolException(int code, String message) {
        this(code, message, null);
    }

    /** The arguments are unusable: JSON-RPC error -32602 with {@code message}. */
    public static McpProtocolException invalidParams(String message) {
        return new McpProtocolException(INVALID_PARAMS, message);
    }

    public int code() {
        return code;
    }

    /** Extra detail for the client, or null. */
    public Map<String, Object> data() {
        return data;
    }
}
