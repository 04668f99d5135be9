package io.mcpserver.spi.intercept;

import io.mcpserver.spi.Caller;
import io.mcpserver.spi.tools.ToolDescriptor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One request as an {@link Interceptor} sees it. Immutable: {@link #withArguments} and {@link #withMeta} derive a
 * changed copy to pass on with {@link InterceptorChain#proceed}. The server builds it; tests of an interceptor
 * build one with {@link #builder}.
 */
public final class InterceptedRequest {

    private final Caller caller;
    private final String transport;
    private final String sessionId;
    private final String method;
    private final String target;
    private final ToolDescriptor tool;
    private final Map<String, Object> params;
    private final Map<String, Object> arguments;
    private final Map<String, Object> meta;
    private final String taskId;

    private InterceptedRequest(Builder b) {
        this.caller = b.caller;
        this.transport = b.transport;
        this.sessionId = b.sessionId;
        this.method = Objects.requireNonNull(b.method, "method");
        this.target = b.target;
        this.tool = b.tool;
        this.params = frozen(b.params);
        this.arguments = frozen(b.arguments);
        this.meta = frozen(b.meta);
        this.taskId = b.taskId;
    }

    public static Builder builder(String method) {
        return new Builder(method);
    }

    /** A builder holding this request's values, to derive a changed copy. */
    public Builder toBuilder() {
        return new Builder(method).caller(caller).transport(transport).sessionId(sessionId).target(target).tool(tool)
                .params(params).arguments(arguments).meta(meta).taskId(taskId);
    }

    /** Who calls (subject, scopes, roles, client); null only in a test that set none. */
    public Caller caller() {
        return caller;
    }

    /** The transport the request arrived on: {@code stdio}, {@code tcp}, {@code http}, {@code sse}, {@code websocket}… */
    public String transport() {
        return transport;
    }

    /** The session's id, or empty for a request that belongs to no session (the stateless 2026-07-28 era). */
    public Optional<String> sessionId() {
        return Optional.ofNullable(sessionId);
    }

    /** The JSON-RPC method, e.g. {@code tools/call}. */
    public String method() {
        return method;
    }

    /**
     * What the request names: the tool of {@code tools/call}, the prompt of {@code prompts/get}, the URI of
     * {@code resources/read} and {@code resources/subscribe}; empty for other methods.
     */
    public Optional<String> target() {
        return Optional.ofNullable(target);
    }

    /** The descriptor of the tool a {@code tools/call} names (its annotations say whether it is read-only…). */
    public Optional<ToolDescriptor> tool() {
        return Optional.ofNullable(tool);
    }

    /**
     * The request's {@code params} as received (read-only plain Java values), for what {@link #arguments} and
     * {@link #meta} do not cover (e.g. a {@code tools/call}'s {@code task}).
     */
    public Map<String, Object> params() {
        return params;
    }

    /** The {@code arguments} of a {@code tools/call} or {@code prompts/get} (read-only); empty otherwise. */
    public Map<String, Object> arguments() {
        return arguments;
    }

    /** The request's {@code _meta} (read-only); empty when it has none. */
    public Map<String, Object> meta() {
        return meta;
    }

    /**
     * The task whose run this is. A {@code tools/call} that runs as a task passes the interceptors twice: first as
     * the request that creates the task (empty here; its result is the {@code CreateTaskResult}), then when the tool
     * runs on the task's thread (this task's id; the arguments are those the first pass passed on, and the result
     * is the tool's, which becomes the task's). Empty for every other request.
     */
    public Optional<String> taskId() {
        return Optional.ofNullable(taskId);
    }

    /** A copy whose arguments are {@code replaced} (the method then validates and uses those). */
    public InterceptedRequest withArguments(Map<String, ?> replaced) {
        return toBuilder().arguments(Objects.requireNonNull(replaced, "arguments")).build();
    }

    /** A copy whose {@code _meta} also holds {@code key: value}. */
    public InterceptedRequest withMeta(String key, Object value) {
        Map<String, Object> next = new LinkedHashMap<>(meta);
        next.put(Objects.requireNonNull(key, "key"), value);
        return toBuilder().meta(next).build();
    }

    @Override
    public String toString() {
        return "InterceptedRequest[" + method + (target == null ? "" : " " + target) + (taskId == null ? ""
                : " as task " + taskId) + " on " + transport + "]";
    }

    private static Map<String, Object> frozen(Map<String, ?> map) {
        return map == null || map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    public static final class Builder {
        private final String method;
        private Caller caller;
        private String transport;
        private String sessionId;
        private String target;
        private ToolDescriptor tool;
        private Map<String, ?> params;
        private Map<String, ?> arguments;
        private Map<String, ?> meta;
        private String taskId;

        private Builder(String method) {
            this.method = method;
        }

        public Builder caller(Caller caller) {
            this.caller = caller;
            return this;
        }

        public Builder transport(String transport) {
            this.transport = transport;
            return this;
        }

        public Builder sessionId(String sessionId) {
            this.sessionId = sessionId;
            return this;
        }

        public Builder target(String target) {
            this.target = target;
            return this;
        }

        public Builder tool(ToolDescriptor tool) {
            this.tool = tool;
            return this;
        }

        public Builder params(Map<String, ?> params) {
            this.params = params;
            return this;
        }

        public Builder arguments(Map<String, ?> arguments) {
            this.arguments = arguments;
            return this;
        }

        public Builder meta(Map<String, ?> meta) {
            this.meta = meta;
            return this;
        }

        /** The task whose run this is (see {@link InterceptedRequest#taskId()}). */
        public Builder taskId(String taskId) {
            this.taskId = taskId;
            return this;
        }

        public InterceptedRequest build() {
            return new InterceptedRequest(this);
        }
    }
}
