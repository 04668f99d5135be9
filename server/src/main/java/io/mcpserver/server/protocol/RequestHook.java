package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Rules the dispatcher applies around every request on every transport: admission (rate limits) before a
 * request is routed, and a record of how it ended (the audit trail) after.
 */
public interface RequestHook {

    /** Called before a request is routed; throw {@link McpException} to refuse it (the client gets that error). */
    default void admit(Session session, String method, JsonNode params) {
    }

    /**
     * Whose rate a session's requests count against: the key under which the dispatcher paces a principal that runs
     * into its limit ({@code RefusalHoldOff}). By default the session itself.
     */
    default Object principal(Session session) {
        return session;
    }

    /**
     * Asked before a message of {@code session} is parsed, taking nothing: how long from now its principal's requests
     * will certainly be refused by {@link #admit} (an empty bucket); 0 when one might be admitted now, or when the
     * hook cannot tell without a round trip.
     */
    default long refusedForNanos(Session session) {
        return 0;
    }

    /**
     * The time between two tokens of a session's principal under its own rate limit (1 s / the rate): how far apart
     * the dispatcher reads a principal over its rate ({@code RefusalHoldOff#paceReading}); 0 without such a limit.
     */
    default long tokenIntervalNanos(Session session) {
        return 0;
    }

    /**
     * The bytes per second a session's principal is read at while the dispatcher paces it after a refusal
     * ({@code RefusalHoldOff#paceReading}, {@code limits.rate.paced-bytes-per-second}); 0 paces by requests only.
     */
    default long pacedBytesPerSecond(Session session) {
        return 0;
    }

    /**
     * Asked before a message of {@code bytes} of {@code session} is parsed (connection transports) or a request body
     * is read (Streamable HTTP): takes them from its principal's byte budget and returns null, or returns the refusal
     * when the budget has no room for them (nothing taken; the error carries the time until it will have). The
     * dispatcher then refuses the request unparsed and paces its principal as after any rate-limit refusal.
     */
    default McpException takeBytes(Session session, long bytes) {
        return null;
    }

    /** Whether {@link #takeBytes} may refuse anything (a transport skips looking up a session if not). */
    default boolean countsBytes() {
        return false;
    }

    /**
     * A request the dispatcher refuses from its id and method alone, before parsing the rest, because its principal
     * is refused for {@code waitNanos} still ({@link #refusedForNanos}, or its last refusal's retry time): the error
     * to answer, counted like a refusal of {@link #admit}.
     */
    default McpException refusedUnparsed(Session session, String method, long waitNanos) {
        return McpException.limitExceeded("Rate limit exceeded", waitNanos);
    }

    /** Called exactly once per request, after its response was sent (or it was refused or cancelled). */
    default void completed(Completion completion) {
    }

    /**
     * How one request ended.
     *
     * @param result    the result sent, null when an error was sent or nothing was (cancelled)
     * @param error     the JSON-RPC error sent, null on success or cancellation
     * @param cancelled true when the request was cancelled and nothing was sent
     */
    record Completion(Session session, String method, JsonNode params, JsonNode result, McpException error,
                      boolean cancelled, long durationNanos) {
    }

    RequestHook NONE = new RequestHook() {
    };
}
