package io.mcpserver.spi.intercept;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Code that runs around every request on every transport, contributed by a plugin through
 * {@link io.mcpserver.spi.McpPlugin#interceptors()}. The server calls it after the request was admitted (the caller
 * is authenticated, rate limits and access rules passed) and before the method runs; it sees who calls, on which
 * transport and session, which method, which tool/prompt/resource and the arguments.
 *
 * <p>An interceptor can
 * <ul>
 *   <li>let the request go on: {@code return chain.proceed(request);}</li>
 *   <li>rewrite it first: {@code chain.proceed(request.withArguments(redacted))}, or add to its {@code _meta};</li>
 *   <li>refuse it: throw {@link io.mcpserver.spi.McpProtocolException} with the JSON-RPC error of its choosing;</li>
 *   <li>answer without running it (a cache): return a result and never call {@code proceed};</li>
 *   <li>rewrite the result, or add to its {@code _meta} ({@link #withMeta});</li>
 *   <li>observe timing and outcome: time the call to {@code proceed}; a request that ends in a JSON-RPC error makes
 *       {@code proceed} throw {@link RequestFailedException}, which the interceptor rethrows.</li>
 * </ul>
 *
 * <p>Interceptors run in {@link #order()} (lowest first, outermost), then by plugin name and interceptor name. Any
 * other exception an interceptor throws is a fault: the server logs it once with its cause, answers the request
 * with -32603, and the session carries on. The interceptor runs on the request's thread with its plugin's class
 * loader as context loader; it must be thread-safe. Unloading or reloading the plugin swaps its interceptors like
 * its tools.
 *
 * <p>A {@code tools/call} the server runs as a task passes twice: when it creates the task (the result is the
 * {@code CreateTaskResult}) and when the tool runs on the task's thread ({@link InterceptedRequest#taskId()} is set;
 * the result becomes the task's).
 */
public interface Interceptor {

    /** A name for logs: {@code [a-z0-9][a-z0-9-]*}, unique within the plugin. */
    String name();

    /** Lower runs first (outermost); interceptors of equal order run by plugin name, then name. */
    default int order() {
        return 0;
    }

    /**
     * Runs around one request.
     *
     * @param request what was asked (immutable; {@code with…} methods derive a changed copy)
     * @param chain   the rest of the chain: the next interceptor, or the method itself
     * @return the request's {@code result} object (plain Java values)
     */
    Map<String, Object> intercept(InterceptedRequest request, InterceptorChain chain);

    /**
     * A copy of {@code result} whose {@code _meta} also holds {@code key: value} (other {@code _meta} entries stay).
     * Keys should carry a prefix of their own ({@code com.example/cache}), as the MCP {@code _meta} rules ask.
     */
    static Map<String, Object> withMeta(Map<String, ?> result, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(result);
        Map<String, Object> meta = new LinkedHashMap<>();
        if (copy.get("_meta") instanceof Map<?, ?> existing) {
            existing.forEach((k, v) -> meta.put(String.valueOf(k), v));
        }
        meta.put(key, value);
        copy.put("_meta", meta);
        return copy;
    }
}
