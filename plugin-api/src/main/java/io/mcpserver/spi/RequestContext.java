package io.mcpserver.spi;

import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.InputRequest;
import io.mcpserver.spi.client.InputResponses;
import io.mcpserver.spi.client.UnsupportedByClientException;
import io.mcpserver.spi.trace.TraceSpan;

import java.util.Map;

/**
 * What every plugin call sees of the request it serves: the caller, cancellation, and log messages
 * sent to the client ({@code notifications/message}, filtered by the client's log level).
 */
public interface RequestContext {

    Caller caller();

    /** True once the client cancelled the request, it timed out, or the client went away. */
    boolean isCancelled();

    /** Throws {@link java.util.concurrent.CancellationException} if the request is cancelled. */
    default void checkCancelled() {
        if (isCancelled()) {
            throw new java.util.concurrent.CancellationException("request cancelled");
        }
    }

    /**
     * Runs {@code action} when the request is cancelled (at once if it already is). The thread that
     * serves the request is also interrupted, so blocking calls end with an InterruptedException.
     */
    void onCancel(Runnable action);

    /** Sends a log message to the client. {@code data} is any JSON-able value (string, map, list…). */
    void log(LogLevel level, String logger, Object data);

    default void log(LogLevel level, Object data) {
        log(level, null, data);
    }

    /** Whether the client declared the capability that asking it for {@code feature} needs. */
    default boolean clientSupports(ClientFeature feature) {
        return false;
    }

    /**
     * Asks the client for several things at once, each under a key of the caller's choosing, and
     * returns its answers by key. Tools, prompts and resource reads may ask. Over a session the server
     * sends the requests to the client and waits; in the stateless era (2026-07-28) the request ends with
     * {@code input_required} and runs again from the start once the client retries with its answers, so
     * the same arguments must lead to the same asks under the same keys (a key names one question);
     * in a task, the task waits in {@code input_required} until every answer has arrived.
     *
     * @param requests what to ask, by key (iteration order is kept)
     * @throws UnsupportedByClientException when the client did not declare a capability one request needs
     */
    default InputResponses ask(Map<String, InputRequest> requests) throws InterruptedException {
        throw new UnsupportedByClientException(requests.values().iterator().next().feature());
    }

    /**
     * Opens a span inside the span of this request, for work worth seeing in a trace (a query, a remote call). While
     * the server does not trace ({@code tracing.enabled: false}) it is {@link TraceSpan#NOOP}.
     * Close it when the work is done.
     */
    default TraceSpan startSpan(String name) {
        return TraceSpan.NOOP;
    }
}
