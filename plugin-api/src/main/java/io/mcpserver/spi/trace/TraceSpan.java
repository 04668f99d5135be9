package io.mcpserver.spi.trace;

/**
 * A span a plugin opens inside the span of the request it serves, when the server traces requests
 * ({@code tracing.enabled}); with tracing off it is a no-op that costs nothing. Open one with
 * {@link io.mcpserver.spi.RequestContext#startSpan} (a child of the request's span) or {@link #startSpan} (a child of
 * this one), and close it when the work is done, best with try-with-resources:
 *
 * <pre>{@code
 * try (TraceSpan span = context.startSpan("query orders")) {
 *     span.attribute("db.system.name", "postgresql");
 *     return orders.find(customer);
 * }
 * }</pre>
 *
 * <p>Attribute names should follow the OpenTelemetry semantic conventions where one fits. A span is meant for the
 * thread that opened it; closing it twice is harmless.
 */
public interface TraceSpan extends AutoCloseable {

    /** A span that records nothing: what plugins get while tracing is off. */
    TraceSpan NOOP = new TraceSpan() {
        @Override
        public TraceSpan attribute(String key, String value) {
            return this;
        }

        @Override
        public TraceSpan attribute(String key, long value) {
            return this;
        }

        @Override
        public TraceSpan attribute(String key, boolean value) {
            return this;
        }

        @Override
        public TraceSpan error(String type, String description) {
            return this;
        }

        @Override
        public TraceSpan startSpan(String name) {
            return this;
        }

        @Override
        public boolean isRecording() {
            return false;
        }

        @Override
        public void close() {
        }
    };

    TraceSpan attribute(String key, String value);

    TraceSpan attribute(String key, long value);

    TraceSpan attribute(String key, boolean value);

    /**
     * Marks the span as failed: {@code error.type} is {@code type} (low cardinality: an exception's class name, a
     * code), and the span's status is an error with {@code description}.
     */
    TraceSpan error(String type, String description);

    /** {@link #error(String, String)} from an exception: its class name and message. */
    default TraceSpan error(Throwable failure) {
        return error(failure.getClass().getName(), failure.getMessage());
    }

    /** Opens a span inside this one. */
    TraceSpan startSpan(String name);

    /** False when nothing is recorded (tracing off, or this trace not sampled): skip costly attributes then. */
    boolean isRecording();

    /** Ends the span. */
    @Override
    void close();
}
