package io.mcpserver.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.plugins.demo.DemoPlugin;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.spi.Caller;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The dispatcher hot path with no transport: a core wired as the server wires it (dispatcher, session registry,
 * feature registry holding the demo plugin's real echo tool), one initialized in-memory session.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DispatcherBench {

    @Param({"small", "64k"})
    public String payload;

    private McpCore core;
    private Session session;
    private ObjectNode request;
    private String raw;
    private volatile ObjectNode last;
    private final MessageSink keep = m -> last = m;
    private ClientConnection connection;
    private volatile CompletableFuture<ObjectNode> pending;

    @Setup
    public void setup() throws Exception {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(new Contributions(new Owner("demo", DemoPlugin.class.getClassLoader()),
                new DemoPlugin().tools(), List.of(), List.of(), List.of(), List.of()));
        core = new McpCore(ServerConfig.defaults().protocol(), registry, AccessPolicy.ALLOW_ALL, false);
        Caller caller = new Caller("bench", Set.of(), Set.of(), "bench", null, Map.of());
        session = core.sessions().open("bench", caller, keep);
        core.dispatcher().handle(session, Json.parse("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"jmh\",\"version\":\"1\"}}}"), keep);
        core.dispatcher().handle(session, Json.parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), keep);
        String text = Payloads.text(payload);
        raw = Payloads.call(7, text);
        request = (ObjectNode) Json.parse(raw);
        core.dispatcher().handle(session, request, keep);
        if (last == null || !last.has("result") || !Json.write(last).contains(text)) {
            throw new IllegalStateException("echo did not answer as expected: " + last);
        }
        connection = new ClientConnection(core, "bench", caller, m -> {
            CompletableFuture<ObjectNode> f = pending;
            if (f != null) {
                f.complete(m);
            }
        }, 1 << 24);
        CompletableFuture<ObjectNode> f = new CompletableFuture<>();
        pending = f;
        connection.receive("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"jmh\",\"version\":\"1\"}}}");
        f.get(5, TimeUnit.SECONDS);
        connection.receive("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    @TearDown
    public void tearDown() {
        connection.close();
        core.sessions().close(session, "done");
    }

    /** Dispatcher.handle of a parsed tools/call: routing, in-flight tracking, validation, the tool, the reply tree. */
    @Benchmark
    public ObjectNode dispatch() {
        core.dispatcher().handle(session, request, keep);
        return last;
    }

    /** What a transport's read-to-write path costs without I/O: parse, dispatch, serialize the reply. */
    @Benchmark
    public byte[] parseDispatchWrite() throws Exception {
        JsonNode message = Json.parse(raw);
        byte[][] out = new byte[1][];
        core.dispatcher().handle(session, message, m -> out[0] = Json.writeBytes(m));
        return out[0];
    }

    /** As connection transports call it: ClientConnection.receive forks the request on a virtual thread. */
    @Benchmark
    public ObjectNode connectionReceive() throws Exception {
        CompletableFuture<ObjectNode> f = new CompletableFuture<>();
        pending = f;
        connection.receive(raw);
        return f.get(5, TimeUnit.SECONDS);
    }
}
