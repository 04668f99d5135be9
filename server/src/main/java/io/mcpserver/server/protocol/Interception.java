package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What wraps the run of every admitted request, on every transport: the plugins' interceptors. The dispatcher
 * calls it in place of the method handler; {@link #NONE} calls the handler and nothing else.
 */
@FunctionalInterface
public interface Interception {

    /** Runs {@code handler} for {@code request}, with whatever wraps it; returns the result to send. */
    JsonNode around(Request request, MethodHandler handler) throws Exception;

    Interception NONE = (request, handler) -> handler.handle(request);
}
