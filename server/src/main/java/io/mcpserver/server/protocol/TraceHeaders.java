package io.mcpserver.server.protocol;

/**
 * The W3C trace context ({@code traceparent}, {@code tracestate}) of the transport request a message came in (an
 * HTTP request's headers; for WebSocket, the upgrade request's, for every message of the connection). The transport
 * sets it around its handler while tracing is on; the dispatcher takes it at admission, which runs on that thread,
 * and hands it to the request's trace. Unchecked here: a malformed value only means "no parent".
 */
public record TraceHeaders(String traceparent, String tracestate) {

    private static final ThreadLocal<TraceHeaders> CURRENT = new ThreadLocal<>();

    /** The trace context set around the running transport handler, or null. */
    public static TraceHeaders current() {
        return CURRENT.get();
    }

    /** Runs {@code body} with this trace context set for the current thread. */
    public void around(Runnable body) {
        TraceHeaders previous = CURRENT.get();
        CURRENT.set(this);
        try {
            body.run();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
