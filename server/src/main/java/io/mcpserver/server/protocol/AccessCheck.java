package io.mcpserver.server.protocol;

/**
 * A method's own part of admission: whether the caller may use the tool, resource or prompt a request names.
 * The dispatcher runs it before the request runs, so that a transport learns a refusal in time to answer it with a
 * status of its own (HTTP 403 with an {@code insufficient_scope} challenge) instead of inside an open stream.
 */
@FunctionalInterface
public interface AccessCheck {

    /**
     * @param request the request; its {@link Request#context()} is null (nothing runs yet)
     * @throws McpException the refusal: -32003 from the access rules, or the method's own error for a request that
     *                      names nothing it knows (checked first, as the method itself would)
     */
    void check(Request request);
}
