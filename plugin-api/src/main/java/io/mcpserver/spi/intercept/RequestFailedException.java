package io.mcpserver.spi.intercept;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Thrown by {@link InterceptorChain#proceed} when the request ended with a JSON-RPC error rather than a result: a
 * refusal by a later interceptor or the method, a fault (-32603), or a cancellation. An interceptor observes it and
 * rethrows it, so that the client gets the original error. To refuse a request of its own accord an interceptor
 * throws {@link io.mcpserver.spi.McpProtocolException} instead.
 */
public class RequestFailedException extends RuntimeException {

    private final int code;
    private final Map<String, Object> data;

    public RequestFailedException(int code, String message, Map<String, ?> data) {
        super(message, null, false, false); // an outcome, not a fault of the interceptor: no stack trace to fill
        this.code = code;
        this.data = data == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** The JSON-RPC error code the client gets, e.g. -32602 or -32603. */
    public int code() {
        return code;
    }

    /** The error's {@code data}, or null. */
    public Map<String, Object> data() {
        return data;
    }
}
