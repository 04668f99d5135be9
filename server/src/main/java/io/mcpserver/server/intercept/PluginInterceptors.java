package io.mcpserver.server.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.Interception;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.MethodHandler;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.FeatureRegistry.RegisteredInterceptor;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.McpProtocolException;
import io.mcpserver.spi.intercept.InterceptedRequest;
import io.mcpserver.spi.intercept.RequestFailedException;
import io.mcpserver.spi.tools.ToolDescriptor;

import java.util.List;
import java.util.Map;

/**
 * Runs the interceptors the plugins contribute around every request, in the registry's order. With none
 * registered it calls the method directly: no conversion, no allocation. Values cross to the interceptors as plain
 * Java; a result an interceptor passes on unchanged goes back to the client as the method's own JSON.
 */
public final class PluginInterceptors implements Interception {

    private static final System.Logger LOG = System.getLogger(PluginInterceptors.class.getName());

    private final FeatureRegistry features;

    public PluginInterceptors(FeatureRegistry features) {
        this.features = features;
    }

    @Override
    public JsonNode around(Request request, MethodHandler handler) throws Exception {
        List<RegisteredInterceptor> chain = features.snapshot().interceptors();
        if (chain.isEmpty()) {
            return handler.handle(request);
        }
        Run run = new Run(request, handler, chain);
        Map<String, Object> result;
        try {
            result = run.next(0, run.initial);
        } catch (MethodOutcome outcome) { // the method's own exception, untouched: the dispatcher answers it
            if (outcome.original instanceof Exception e) {
                throw e;
            }
            throw (Error) outcome.original;
        } catch (InterceptorFault fault) {
            throw new McpException(ErrorCodes.INTERNAL_ERROR, fault.getMessage());
        } catch (RequestFailedException e) { // an interceptor's own: sent as it says
            throw new McpException(e.code(), e.getMessage(), e.data() == null ? null : Json.toTree(e.data()));
        }
        return result == run.methodResultMap ? run.methodResult : Json.toTree(result);
    }

    /** One request's pass through the chain. */
    private final class Run {
        private final Request request;
        private final MethodHandler handler;
        private final List<RegisteredInterceptor> chain;
        private final InterceptedRequest initial;
        private JsonNode methodResult;
        private Map<String, Object> methodResultMap;

        Run(Request request, MethodHandler handler, List<RegisteredInterceptor> chain) {
            this.request = request;
            this.handler = handler;
            this.chain = chain;
            this.initial = intercepted(request);
        }

        Map<String, Object> next(int index, InterceptedRequest current) {
            if (index == chain.size()) {
                return callMethod(current);
            }
            RegisteredInterceptor registered = chain.get(index);
            try {
                return registered.owner().call(() -> registered.interceptor().intercept(current,
                        passed -> next(index + 1, passed == null ? current : passed)));
            } catch (Owner.PluginUnloadedException e) { // unloaded since the snapshot: it no longer takes part
                return next(index + 1, current);
            } catch (RequestFailedException | McpProtocolException e) {
                throw e; // an outcome passed on, or a refusal of the interceptor's choosing
            } catch (Exception | LinkageError | StackOverflowError e) {
                if (e instanceof InterruptedException || cancelled()) {
                    throw new MethodOutcome(e); // the request was cancelled meanwhile: no fault of the interceptor
                }
                throw fault(registered, e);
            }
        }

        private boolean cancelled() {
            return request.context() != null && request.context().isCancelled();
        }

        private Map<String, Object> callMethod(InterceptedRequest current) {
            Request call = current == initial ? request : rewritten(current);
            try {
                methodResult = handler.handle(call);
            } catch (Throwable t) {
                throw new MethodOutcome(t);
            }
            methodResultMap = methodResult == null ? Map.of() : Json.toMap(methodResult);
            return methodResultMap;
        }

        /** The request with the arguments and {@code _meta} an interceptor passed on. */
        private Request rewritten(InterceptedRequest current) {
            ObjectNode params = request.paramsObject().deepCopy();
            if (!current.arguments().equals(initial.arguments())) {
                params.set("arguments", Json.toTree(current.arguments()));
            }
            if (!current.meta().equals(initial.meta())) {
                params.set("_meta", Json.toTree(current.meta()));
            }
            return new Request(request.session(), request.id(), request.method(), params, request.context());
        }

        private InterceptorFault fault(RegisteredInterceptor registered, Throwable e) {
            Session session = request.session();
            LOG.log(System.Logger.Level.ERROR, session + ": interceptor " + registered.name() + " of plugin "
                    + registered.owner().pluginName() + " failed on " + request.method(), e);
            return new InterceptorFault("Internal error while handling " + request.method()
                    + "; the server log has the details");
        }
    }

    private InterceptedRequest intercepted(Request request) {
        Session session = request.session();
        JsonNode params = request.params();
        Map<String, Object> plain = params == null || !params.isObject() ? Map.of() : Json.toMap(params);
        String target = switch (request.method()) {
            case "tools/call", "prompts/get" -> Json.text(params, "name");
            case "resources/read", "resources/subscribe", "resources/unsubscribe" -> Json.text(params, "uri");
            default -> null;
        };
        ToolDescriptor tool = "tools/call".equals(request.method()) && target != null
                ? features.tool(target).map(t -> t.tool().descriptor()).orElse(null) : null;
        return InterceptedRequest.builder(request.method())
                .caller(session.caller())
                .transport(session.transport())
                .sessionId(session.isStateless() ? null : session.id())
                .target(target)
                .tool(tool)
                .params(plain)
                .arguments(plain.get("arguments") instanceof Map<?, ?> args ? stringKeyed(args) : Map.of())
                .meta(plain.get("_meta") instanceof Map<?, ?> meta ? stringKeyed(meta) : Map.of())
                .taskId(request.context() == null ? null : request.context().taskId())
                .build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stringKeyed(Map<?, ?> map) {
        return (Map<String, Object>) map; // from a JSON object: every key is a string
    }

    /** Carries whatever the method threw through the interceptors, which see it as a failed request. */
    private static final class MethodOutcome extends RequestFailedException {
        private final Throwable original;

        MethodOutcome(Throwable original) {
            super(codeOf(original), messageOf(original), null);
            this.original = original;
        }

        private static int codeOf(Throwable t) {
            if (t instanceof McpException e) {
                return e.code();
            }
            return t instanceof McpProtocolException p ? p.code() : ErrorCodes.INTERNAL_ERROR;
        }

        private static String messageOf(Throwable t) {
            return t instanceof McpException || t instanceof McpProtocolException ? t.getMessage() : "Internal error";
        }
    }

    /** An interceptor failed; already logged. Outer interceptors see it as a failed request. */
    private static final class InterceptorFault extends RequestFailedException {
        InterceptorFault(String message) {
            super(ErrorCodes.INTERNAL_ERROR, message, null);
        }
    }
}
