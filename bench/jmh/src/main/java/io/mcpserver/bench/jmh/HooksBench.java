package io.mcpserver.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.mcpserver.plugins.demo.DemoPlugin;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.config.TracingSettings;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.features.LifecycleMethods;
import io.mcpserver.server.features.ToolMethods;
import io.mcpserver.server.intercept.PluginInterceptors;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.observe.tracing.OtelTracing;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.Interception;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.MethodHandler;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.RequestTracing;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.resume.ResumeSettings;
import io.mcpserver.server.resume.ResumeStore;
import io.mcpserver.server.security.AuthResult;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.server.security.PresentedCredential;
import io.mcpserver.server.tasks.TaskEngine;
import io.mcpserver.server.tasks.TaskStore;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.intercept.Interceptor;
import io.mcpserver.spi.intercept.InterceptorChain;
import io.mcpserver.spi.intercept.InterceptedRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 16: what a request pays for the interceptor SPI, the authentication SPI with API keys, tracing and compression
 * when none of them is configured, next to what the same request costs without them, in one run.
 *
 * <p>The dispatcher path: {@code dispatchAsShipped} is the core as the server wires it ({@link McpCore}: the plugins'
 * interceptors with none contributed, tracing off); {@code dispatchWithoutHooks} is the same {@link Dispatcher} class
 * with the same methods registered but nothing around the run ({@link Interception#NONE}: the handler called
 * directly). Their difference is the cost of the hooks when off. For scale, the cost when configured: one
 * pass-through interceptor, and tracing on (the OpenTelemetry SDK exporting over OTLP/HTTP to a sink in this
 * process, every request sampled).
 *
 * <p>The off paths by themselves: the empty interceptor chain against calling the handler; the edge authenticator
 * with security off (what the HTTP transport asks per request and TCP per connection). Compression's decision is in
 * {@code io.mcpserver.server.transport.http.CompressionDecisionBench} (the class it measures is package-private);
 * tracing's off path is a reference comparison in the dispatcher and no filter at all in the HTTP transport.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HooksBench {

    private McpCore shipped;
    private Session shippedSession;
    private Dispatcher bare;
    private Session bareSession;
    private ScheduledThreadPoolExecutor bareTimer;
    private McpCore intercepted;
    private Session interceptedSession;
    private McpCore traced;
    private Session tracedSession;
    private RequestTracing tracing;
    private HttpServer otlp;
    private final AtomicLong exports = new AtomicLong();

    private ObjectNode request;
    private volatile ObjectNode last;
    private final MessageSink keep = m -> last = m;

    private PluginInterceptors emptyChain;
    private Request plainRequest;
    private final JsonNode constant = Json.object().set("content", Json.array());
    private final MethodHandler constantHandler = r -> constant;
    private EdgeAuthenticator openEdge;
    private final EdgeAuthenticator.Peer peer = new EdgeAuthenticator.Peer("http", "127.0.0.1:40000");
    private String firstMessage;

    @Setup
    public void setup() throws Exception {
        ProtocolSettings settings = ServerConfig.defaults().protocol();
        request = (ObjectNode) Json.parse(Payloads.call(7, Payloads.text("small")));

        FeatureRegistry features = registry();
        shipped = new McpCore(settings, features, AccessPolicy.ALLOW_ALL, false);
        shippedSession = open(shipped.sessions(), shipped.dispatcher());

        // the same dispatcher and methods as McpCore registers for initialize and tools/call, nothing around the run
        FeatureRegistry bareFeatures = registry();
        bare = new Dispatcher(settings, RequestHook.NONE, Interception.NONE, RequestTracing.OFF);
        SessionRegistry bareSessions = new SessionRegistry(settings.defaultLogLevel());
        new LifecycleMethods(settings, bareFeatures, false).register(bare);
        bareTimer = new ScheduledThreadPoolExecutor(1);
        bareTimer.setRemoveOnCancelPolicy(true);
        TaskEngine tasks = new TaskEngine(settings.tasks(), TaskStore.inMemory(Clock.systemUTC()), Clock.systemUTC(),
                bare.requester());
        new ToolMethods(bareFeatures, settings, AccessPolicy.ALLOW_ALL, tasks, bareTimer, bare).register();
        bareSession = open(bareSessions, bare);

        FeatureRegistry withInterceptor = registry();
        withInterceptor.register(new Contributions(new Owner("pass", HooksBench.class.getClassLoader()), List.of(),
                List.of(), List.of(), List.of(), List.of(), List.of(new PassThrough())));
        intercepted = new McpCore(settings, withInterceptor, AccessPolicy.ALLOW_ALL, false);
        interceptedSession = open(intercepted.sessions(), intercepted.dispatcher());

        otlp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        otlp.createContext("/v1/traces", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exports.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        otlp.start();
        tracing = OtelTracing.start(new TracingSettings(true,
                URI.create("http://127.0.0.1:" + otlp.getAddress().getPort() + "/v1/traces"), 1.0), "jmh");
        traced = new McpCore(settings, registry(), AccessPolicy.ALLOW_ALL, RequestHook.NONE, false,
                ResumeSettings.defaults(), ResumeStore.inMemory(), tracing);
        tracedSession = open(traced.sessions(), traced.dispatcher());

        emptyChain = new PluginInterceptors(registry());
        plainRequest = new Request(shippedSession, request.get("id"), "tools/call", request.get("params"), null);
        openEdge = EdgeAuthenticator.off(new Caller("bench", Set.of(), Set.of(), "bench", null, Map.of()));
        firstMessage = Payloads.call(1, Payloads.text("small"));

        for (Dispatcher d : List.of(shipped.dispatcher(), bare, intercepted.dispatcher(), traced.dispatcher())) {
            Session s = d == shipped.dispatcher() ? shippedSession : d == bare ? bareSession
                    : d == intercepted.dispatcher() ? interceptedSession : tracedSession;
            last = null;
            d.handle(s, request, keep);
            if (last == null || !last.has("result") || !Json.write(last).contains(Payloads.text("small"))) {
                throw new IllegalStateException("echo did not answer as expected: " + last);
            }
        }
    }

    private static FeatureRegistry registry() {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(new Contributions(new Owner("demo", DemoPlugin.class.getClassLoader()),
                new DemoPlugin().tools(), List.of(), List.of(), List.of(), List.of()));
        return registry;
    }

    private Session open(SessionRegistry sessions, Dispatcher dispatcher) throws Exception {
        Caller caller = new Caller("bench", Set.of(), Set.of(), "bench", null, Map.of());
        Session session = sessions.open("bench", caller, keep);
        dispatcher.handle(session, Json.parse("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"jmh\",\"version\":\"1\"}}}"), keep);
        dispatcher.handle(session, Json.parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), keep);
        return session;
    }

    @TearDown
    public void tearDown() {
        shipped.close();
        intercepted.close();
        traced.close();
        bareTimer.shutdownNow();
        tracing.close();
        otlp.stop(0);
        if (exports.get() == 0) { // the traced figure is only honest if the spans were really exported
            throw new IllegalStateException("tracing on: the OTLP sink received no export");
        }
    }

    /** A tools/call (echo, small) through the core as the server wires it, nothing configured. */
    @Benchmark
    public ObjectNode dispatchAsShipped() {
        shipped.dispatcher().handle(shippedSession, request, keep);
        return last;
    }

    /** The same request through the same dispatcher and methods with nothing around the run. */
    @Benchmark
    public ObjectNode dispatchWithoutHooks() {
        bare.handle(bareSession, request, keep);
        return last;
    }

    /** Configured: one interceptor that only passes the request on (the SPI's conversions to plain Java and back). */
    @Benchmark
    public ObjectNode dispatchOnePassThroughInterceptor() {
        intercepted.dispatcher().handle(interceptedSession, request, keep);
        return last;
    }

    /** Configured: tracing on, every request a span exported over OTLP/HTTP. */
    @Benchmark
    public ObjectNode dispatchTracingOn() {
        traced.dispatcher().handle(tracedSession, request, keep);
        return last;
    }

    /** The interceptor SPI's off path: the plugins' interceptors with none contributed, around a trivial handler. */
    @Benchmark
    public JsonNode interceptionEmptyChain() throws Exception {
        return emptyChain.around(plainRequest, constantHandler);
    }

    /** The yardstick for the one above: the same handler called directly. */
    @Benchmark
    public JsonNode interceptionNone() throws Exception {
        return Interception.NONE.around(plainRequest, constantHandler);
    }

    /**
     * The authentication SPI with security off, as the HTTP transport asks it for every request (no Authorization,
     * no X-API-Key header): the credential from the headers, then the edge authenticator.
     */
    @Benchmark
    public AuthResult credentialSecurityOff() {
        return openEdge.authenticate(peer, PresentedCredential.fromHeaders(null, null));
    }

    /** The same for a connection's first message (TCP, plugin transports), once per connection. */
    @Benchmark
    public EdgeAuthenticator.FirstMessage firstMessageSecurityOff() {
        return openEdge.firstMessage(peer, firstMessage);
    }

    /** Passes every request on unchanged. */
    static final class PassThrough implements Interceptor {
        @Override
        public String name() {
            return "pass-through";
        }

        @Override
        public Map<String, Object> intercept(InterceptedRequest request, InterceptorChain chain) {
            return chain.proceed(request);
        }
    }
}
