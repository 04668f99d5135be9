package io.mcpserver.spi.intercept;

import java.util.Map;

/** The rest of an interceptor chain: the next interceptor, and at its end the method that serves the request. */
@FunctionalInterface
public interface InterceptorChain {

    /**
     * Runs the rest of the chain with {@code request} (the one the interceptor was given, or a copy derived from it).
     *
     * @return the {@code result} object the request produced (a tool call that failed as a tool still returns a
     *         result, with {@code isError: true})
     * @throws RequestFailedException when the request ends with a JSON-RPC error instead of a result (rethrow it)
     */
    Map<String, Object> proceed(InterceptedRequest request);
}
