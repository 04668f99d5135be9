package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over Streamable HTTP the status follows from the dispatcher's admission, which answers before any stream is
 * opened: a refusal gets its own status however long admission took (the old transport guessed by waiting 200 ms
 * for a refusal), and an admitted call's stream opens at once, before the tool has said anything.
 */
class HttpAdmissionTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean limited;
    private McpCore core;
    private HttpTransport transport;
    private McpHttpClient client;

    @BeforeEach
    void start() throws Exception {
        Config config = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.of("server.host", "127.0.0.1", "transports.http.port", "0",
                        "transports.tcp.enabled", "false"))).build();
        ServerConfig serverConfig = ServerConfig.from(config, Path.of("target"), null, "test");
        FeatureRegistry features = new FeatureRegistry();
        features.register(new Contributions(new Owner("test", getClass().getClassLoader()), List.of(
                Tool.of(ToolDescriptor.builder("wait").build(), (args, ctx) -> {
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                    return ToolResult.text("released");
                })), List.of(), List.of(), List.of(), List.of()));
        RequestHook slowLimit = new RequestHook() {
            @Override
            public void admit(Session session, String method, JsonNode params) {
                if (limited && method.equals("tools/call")) {
                    try {
                        Thread.sleep(600); // a slow admission: far beyond any fixed wait for a refusal
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ObjectNode data = Json.object().put("retryAfterMs", 3000).put("retryAfterSeconds", 3);
                    throw new McpException(ErrorCodes.LIMIT_EXCEEDED, "Rate limit exceeded; retry after 3000 ms", data);
                }
            }

            @Override
            public void completed(Completion completion) {
            }
        };
        core = new McpCore(serverConfig.protocol(), features, AccessPolicy.ALLOW_ALL, slowLimit, false);
        transport = new HttpTransport(core, serverConfig, new Caller("anonymous", Set.of(), Set.of(), null, null, Map.of()));
        transport.start();
        client = new McpHttpClient(URI.create("http://127.0.0.1:" + transport.port() + "/mcp")).initialize();
    }

    @AfterEach
    void stop() {
        release.countDown();
        transport.close();
    }

    @Test
    void aStreamedCallRefusedAtAdmissionGets429HoweverLongAdmissionTook() throws Exception {
        limited = true;
        McpHttpClient.Reply reply = client.post(client.request("tools/call", "{\"name\":\"wait\"}"),
                McpHttpClient.BOTH);
        assertEquals(429, reply.status());
        assertEquals("3", reply.header("Retry-After"));
        assertTrue(reply.header("Content-Type").startsWith("application/json"), reply.header("Content-Type"));
        assertEquals(ErrorCodes.LIMIT_EXCEEDED, reply.json().at("/error/code").asInt());
    }

    @Test
    void anAdmittedCallsStreamOpensBeforeTheToolSaysAnything() throws Exception {
        McpHttpClient.Reply reply = client.post(client.request("tools/call", "{\"name\":\"wait\"}"),
                McpHttpClient.BOTH); // returns with the headers: the tool is still waiting
        assertEquals(200, reply.status());
        assertTrue(reply.header("Content-Type").startsWith("text/event-stream"), reply.header("Content-Type"));
        assertEquals(1, release.getCount(), "the tool has not finished");
        release.countDown();
        try (McpHttpClient.SseEvents events = reply.events()) {
            McpHttpClient.SseEvents.Event event = events.next();
            while (event.data() == null || event.data().isEmpty()) {
                event = events.next(); // the priming event
            }
            assertEquals("released", event.json().at("/result/content/0/text").asText(), event.data());
        }
    }
}
