package io.mcpserver.spi;

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
}
