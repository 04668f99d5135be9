package io.mcpserver.server.observe.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.config.TracingSettings;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.protocol.RequestTracing;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.TraceHeaders;
import io.mcpserver.spi.trace.TraceSpan;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Request spans with the OpenTelemetry SDK, exported over OTLP/HTTP, following the semantic conventions for MCP
 * servers: a {@code SERVER} span named {@code {mcp.method.name} {target}} (the tool or prompt name), with
 * {@code mcp.method.name}, {@code jsonrpc.request.id}, {@code mcp.session.id}, {@code mcp.protocol.version},
 * {@code network.transport}, {@code network.protocol.name}, {@code gen_ai.tool.name} and
 * {@code gen_ai.operation.name} ({@code execute_tool}), {@code gen_ai.prompt.name}, {@code mcp.resource.uri}, and on
 * failure {@code error.type} and {@code rpc.response.status_code} (the JSON-RPC code; {@code tool_error} for an
 * {@code isError} result). The parent is the W3C context in the request's {@code params._meta}
 * ({@code traceparent}, {@code tracestate}), else the transport's (HTTP headers, a WebSocket connection's upgrade
 * headers), which the conventions then record as a link; a malformed one is ignored and the span starts a new trace.
 * The run of a task a request created is an {@code INTERNAL} span under the request's ({@link Trace#taskRun}).
 *
 * <p>Only {@link #start} and what it returns refer to OpenTelemetry classes: with tracing off this class is never
 * loaded, and neither is the SDK.
 */
public final class OtelTracing implements RequestTracing {

    private static final System.Logger LOG = System.getLogger(OtelTracing.class.getName());
    private static final String INSTRUMENTATION = "io.mcpserver.server";

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private OtelTracing(SdkTracerProvider provider) {
        this.provider = provider;
        this.tracer = provider.get(INSTRUMENTATION);
    }

    /** Builds the SDK: a parent-based ratio sampler, a batching processor and the OTLP/HTTP exporter. */
    public static RequestTracing start(TracingSettings settings, String serviceName) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.endpoint().toString())
                .setTimeout(Duration.ofSeconds(10))
                .build();
        Resource resource = Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), serviceName)));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.samplingRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        LOG.log(System.Logger.Level.INFO, "Tracing: spans go to " + settings.endpoint() + " over OTLP/HTTP (sampling "
                + settings.samplingRatio() + ")");
        return new OtelTracing(provider);
    }

    @Override
    public Trace begin(Session session, String sessionId, JsonNode id, String method, JsonNode params,
                       TraceHeaders headers) {
        String target = switch (method) {
            case "tools/call", "prompts/get" -> Json.text(params, "name");
            default -> null;
        };
        SpanBuilder span = tracer.spanBuilder(target == null ? method : method + " " + target)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("mcp.method.name", method);
        SpanContext fromMeta = remote(metaCarrier(params));
        SpanContext fromHeaders = headers == null ? SpanContext.getInvalid()
                : remote(carrier(headers.traceparent(), headers.tracestate()));
        if (fromMeta.isValid()) {
            span.setParent(Context.root().with(Span.wrap(fromMeta)));
            if (fromHeaders.isValid() && !fromHeaders.equals(fromMeta)) {
                span.addLink(fromHeaders); // the transport's own context, as the MCP conventions ask
            }
        } else if (fromHeaders.isValid()) {
            span.setParent(Context.root().with(Span.wrap(fromHeaders)));
        } else {
            span.setNoParent();
        }
        if (id != null && !id.isNull()) {
            span.setAttribute("jsonrpc.request.id", id.asText());
        }
        if (sessionId != null) {
            span.setAttribute("mcp.session.id", sessionId);
        }
        String version = protocolVersion(session, params);
        if (version != null) {
            span.setAttribute("mcp.protocol.version", version);
        }
        transportAttributes(span, session.transport());
        switch (method) {
            case "tools/call" -> {
                if (target != null) {
                    span.setAttribute("gen_ai.tool.name", target);
                }
                span.setAttribute("gen_ai.operation.name", "execute_tool");
            }
            case "prompts/get" -> {
                if (target != null) {
                    span.setAttribute("gen_ai.prompt.name", target);
                }
            }
            case "resources/read", "resources/subscribe", "resources/unsubscribe" -> {
                String uri = Json.text(params, "uri");
                if (uri != null) {
                    span.setAttribute("mcp.resource.uri", uri);
                }
            }
            default -> {
            }
        }
        return new RequestTrace(span.startSpan(), method, target);
    }

    /** {@code network.transport} (tcp, or pipe for stdio) and {@code network.protocol.name} (http, websocket). */
    private static void transportAttributes(SpanBuilder span, String transport) {
        if (transport == null) {
            return;
        }
        switch (transport) {
            case "stdio" -> span.setAttribute("network.transport", "pipe");
            case "tcp" -> span.setAttribute("network.transport", "tcp");
            case "http", "sse", "rest" -> span.setAttribute("network.transport", "tcp")
                    .setAttribute("network.protocol.name", "http");
            case "websocket" -> span.setAttribute("network.transport", "tcp")
                    .setAttribute("network.protocol.name", "websocket");
            default -> {
            }
        }
    }

    private static String protocolVersion(Session session, JsonNode params) {
        String fromMeta = params == null ? null : Json.text(params.path("_meta"), RequestMeta.PROTOCOL_VERSION);
        if (fromMeta != null) {
            return fromMeta;
        }
        return session.protocolVersion() == null ? null : session.protocolVersion().id();
    }

    private static Map<String, String> metaCarrier(JsonNode params) {
        JsonNode meta = params == null ? null : params.get("_meta");
        if (meta == null || !meta.isObject()) {
            return Map.of();
        }
        return carrier(Json.text(meta, "traceparent"), Json.text(meta, "tracestate"));
    }

    private static Map<String, String> carrier(String traceparent, String tracestate) {
        Map<String, String> carrier = new HashMap<>(4);
        if (traceparent != null) {
            carrier.put("traceparent", traceparent);
        }
        if (tracestate != null) {
            carrier.put("tracestate", tracestate);
        }
        return carrier;
    }

    /** The remote span context a W3C carrier names; invalid when it names none or is malformed. */
    private static SpanContext remote(Map<String, String> carrier) {
        if (carrier.isEmpty()) {
            return SpanContext.getInvalid();
        }
        Context extracted = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, GETTER);
        return Span.fromContext(extracted).getSpanContext();
    }

    /** Sends what is still buffered and stops the exporter. */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    /** One request's span, or the span of a task's run. */
    private final class RequestTrace implements Trace {
        private final Span span;
        private final String method;
        private final String target;

        RequestTrace(Span span, String method, String target) {
            this.span = span;
            this.method = method;
            this.target = target;
        }

        @Override
        public TraceSpan startSpan(String name) {
            return new PluginSpan(tracer.spanBuilder(name).setParent(Context.root().with(span)).startSpan());
        }

        /**
         * An {@code INTERNAL} span under the request's: for a tool, the GenAI conventions' {@code execute_tool
         * {tool}} with {@code gen_ai.*}; {@code mcp.task.id} names the task (the conventions have no task attribute).
         */
        @Override
        public Trace taskRun(String taskId) {
            boolean tool = "tools/call".equals(method) && target != null;
            SpanBuilder run = tracer.spanBuilder(tool ? "execute_tool " + target : method + " task")
                    .setSpanKind(SpanKind.INTERNAL)
                    .setParent(Context.root().with(span))
                    .setAttribute("mcp.method.name", method)
                    .setAttribute("mcp.task.id", taskId);
            if (tool) {
                run.setAttribute("gen_ai.tool.name", target).setAttribute("gen_ai.operation.name", "execute_tool");
            }
            return new RequestTrace(run.startSpan(), method, target);
        }

        @Override
        public void end(JsonNode result, McpException error, boolean cancelled) {
            if (cancelled) {
                span.setAttribute("error.type", "cancelled");
                span.setStatus(StatusCode.ERROR, "cancelled");
            } else if (error != null) {
                String code = Integer.toString(error.code());
                span.setAttribute("error.type", code);
                span.setAttribute("rpc.response.status_code", code);
                span.setStatus(StatusCode.ERROR, error.getMessage());
            } else if ("tools/call".equals(method) && result != null && result.path("isError").asBoolean(false)) {
                span.setAttribute("error.type", "tool_error");
                span.setStatus(StatusCode.ERROR, "tool_error");
            }
            span.end();
        }
    }

    /** A span a plugin opened. */
    private final class PluginSpan implements TraceSpan {
        private final Span span;

        PluginSpan(Span span) {
            this.span = span;
        }

        @Override
        public TraceSpan attribute(String key, String value) {
            span.setAttribute(key, value);
            return this;
        }

        @Override
        public TraceSpan attribute(String key, long value) {
            span.setAttribute(key, value);
            return this;
        }

        @Override
        public TraceSpan attribute(String key, boolean value) {
            span.setAttribute(key, value);
            return this;
        }

        @Override
        public TraceSpan error(String type, String description) {
            span.setAttribute("error.type", type);
            span.setStatus(StatusCode.ERROR, description == null ? type : description);
            return this;
        }

        @Override
        public TraceSpan startSpan(String name) {
            return new PluginSpan(tracer.spanBuilder(name).setParent(Context.root().with(span)).startSpan());
        }

        @Override
        public boolean isRecording() {
            return span.isRecording();
        }

        @Override
        public void close() {
            span.end(); // a second end is ignored by the SDK
        }
    }
}
