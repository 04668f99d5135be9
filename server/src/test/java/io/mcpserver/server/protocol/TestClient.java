package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.tools.Tool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A client wired straight to the protocol core through a {@link ClientConnection}, as a transport would be. */
final class TestClient implements AutoCloseable {

    final McpCore core;
    final ClientConnection connection;
    final BlockingQueue<ObjectNode> received = new LinkedBlockingQueue<>();
    private final AtomicInteger ids = new AtomicInteger(1);

    TestClient(McpCore core) {
        this.core = core;
        this.connection = new ClientConnection(core, "test",
                new Caller("tester", Set.of(), Set.of(), "test", null, Map.of()), received::add, 1 << 20);
    }

    static McpCore core(ProtocolSettings settings, List<Tool> tools, List<Resource> resources,
                        List<ResourceTemplate> templates, List<Prompt> prompts, List<CompletionProvider> completions) {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(new Contributions(new Owner("test", TestClient.class.getClassLoader()), tools, resources,
                templates, prompts, completions));
        return new McpCore(settings, registry, AccessPolicy.ALLOW_ALL, false);
    }

    static ProtocolSettings settings(int pageSize, Duration toolTimeout) {
        var d = io.mcpserver.server.config.ServerConfig.defaults().protocol();
        return new ProtocolSettings(d.serverName(), "test", d.instructions(), pageSize, d.defaultLogLevel(),
                Duration.ofSeconds(5), toolTimeout, d.maxInFlight(), d.shutdownGrace(), d.stateless(), Map.of(), d.tasks(), d.maxSubscriptions(),
                d.maxUriLength());
    }

    void sendRaw(String text) {
        connection.receive(text);
    }

    /** Sends a request and returns its id. */
    int send(String method, String paramsJson) {
        int id = ids.getAndIncrement();
        sendRaw("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
                + (paramsJson == null ? "" : ",\"params\":" + paramsJson) + "}");
        return id;
    }

    /** Sends a request and waits for its response, keeping other messages for {@link #next}. */
    JsonNode call(String method, String paramsJson) throws InterruptedException {
        return responseTo(send(method, paramsJson));
    }

    JsonNode responseTo(int id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (ObjectNode m : received) {
                if (m.has("id") && m.get("id").isInt() && m.get("id").asInt() == id && !m.has("method")) {
                    received.remove(m);
                    return m;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no response to request " + id + "; received " + received);
    }

    /** The next message the server sent, waiting up to 10 s. */
    ObjectNode next() throws InterruptedException {
        ObjectNode m = received.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("nothing received");
        }
        return m;
    }

    /** The next message with that method (notification or server request), skipping others. */
    ObjectNode nextWithMethod(String method) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (ObjectNode m : received) {
                if (method.equals(Json.text(m, "method"))) {
                    received.remove(m);
                    return m;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no " + method + " received; got " + received);
    }

    JsonNode initialize(String version, String capabilities) throws InterruptedException {
        JsonNode r = call("initialize", "{\"protocolVersion\":\"" + version + "\",\"capabilities\":" + capabilities
                + ",\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}");
        sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return r;
    }

    @Override
    public void close() {
        connection.close();
    }
}
