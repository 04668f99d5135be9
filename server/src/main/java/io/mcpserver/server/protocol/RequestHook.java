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
