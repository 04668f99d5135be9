package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.spi.trace.TraceSpan;

/**
 * The span of every request, on every transport ({@code tracing.enabled}). The dispatcher begins a request's trace
 * when it starts to run and ends it with the outcome; plugins open child spans through the request's context.
 * {@link #OFF} does nothing, so that with tracing off no tracing library is even loaded.
 */
public interface RequestTracing {

    /**
     * Begins the span of one request.
     *
     * @param session   the session it arrived on
     * @param sessionId the MCP session's id, or null for a request of no session (the stateless era)
     * @param headers   the W3C trace context of the transport's own request (HTTP headers, a WebSocket's upgrade
     *                  headers), or null
     */
    Trace begin(Session session, String sessionId, JsonNode id, String method, JsonNode params,
                TraceHeaders headers);

    /** Sends what is still buffered and releases the exporter; on shutdown, after the last request. */
    default void close() {
    }

    RequestTracing OFF = (session, sessionId, id, method, params, headers) -> Trace.NONE;

    /** One request's span. */
    interface Trace {

        /** A child span, for plugin code. */
        TraceSpan startSpan(String name);

        /**
         * The span of the run of a task this request created: a child of this span that begins now and outlives
         * it, ended like a request's with the run's outcome.
         */
        default Trace taskRun(String taskId) {
            return NONE;
        }

        /**
         * Ends the span.
         *
         * @param result    the result sent, or null
         * @param error     the JSON-RPC error sent, or null
         * @param cancelled true when the request was cancelled and nothing was sent
         */
        void end(JsonNode result, McpException error, boolean cancelled);

        Trace NONE = new Trace() {
            @Override
            public TraceSpan startSpan(String name) {
                return TraceSpan.NOOP;
            }

            @Override
            public void end(JsonNode result, McpException error, boolean cancelled) {
            }
        };
    }
}
