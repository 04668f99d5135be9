package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.security.AuthResult;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.server.security.PresentedCredential;
import io.mcpserver.server.security.ProtectedResourceMetadata;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16: with security off the authentication SPI costs an HTTP request (and a WebSocket upgrade) nothing. The
 * edge lets everyone in as one caller whatever they send, so the transport neither reads the credential headers
 * nor asks the edge; before, every request built a credential, the peer's address text and an answer only to be
 * told "yes".
 */
class SecurityOffEdgeTest {

    /** The edge with security off, counting how often a request's credential is put to it. */
    private static final class CountingOpenEdge implements EdgeAuthenticator {
        final EdgeAuthenticator open = EdgeAuthenticator.off(Caller.builder("anonymous").build());
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public boolean required() {
            return false;
        }

        @Override
        public AuthResult authenticate(Peer peer, PresentedCredential credential) {
            asked.incrementAndGet();
            return open.authenticate(peer, credential);
        }

        @Override
        public FirstMessage firstMessage(Peer peer, String message) {
            return open.firstMessage(peer, message);
        }

        @Override
        public Optional<Caller> certificate(Certificate[] chain) {
            return open.certificate(chain);
        }

        @Override
        public Caller unauthenticated() {
            return open.unauthenticated();
        }

        @Override
        public Optional<ProtectedResourceMetadata> metadata() {
            return open.metadata();
        }
    }

    @Test
    void withSecurityOffNoRequestNorUpgradeIsPutToTheEdge() throws Exception {
        Config config = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.of("server.host", "127.0.0.1", "transports.http.port", "0",
                        "transports.tcp.enabled", "false"))).build();
        ServerConfig serverConfig = ServerConfig.from(config, Path.of("target"), null, "test");
        FeatureRegistry features = new FeatureRegistry();
        features.register(new Contributions(new Owner("test", getClass().getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("echo").param("text", "string", "what to echo", true).build(),
                        (args, ctx) -> ToolResult.text(String.valueOf(args.get("text"))))),
                List.of(), List.of(), List.of(), List.of()));
        CountingOpenEdge edge = new CountingOpenEdge();
        try (McpCore core = new McpCore(serverConfig.protocol(), features, AccessPolicy.ALLOW_ALL, false)) {
            HttpTransport transport = new HttpTransport(core, serverConfig, edge, null);
            transport.start();
            try {
                McpHttpClient client = new McpHttpClient(URI.create("http://127.0.0.1:" + transport.port() + "/mcp"))
                        .initialize();
                JsonNode reply = client.call("echo", "{\"text\":\"hi\"}");
                assertEquals("hi", reply.path("result").path("content").path(0).path("text").asText(), reply.toString());
                // a client that sends credentials anyway is served as everyone else, and its headers are not read
                McpHttpClient.Reply withKey = client.send("POST", client.request("tools/call",
                        "{\"name\":\"echo\",\"arguments\":{\"text\":\"again\"}}"), Map.of("Accept", "application/json",
                        "Content-Type", "application/json", "Mcp-Session-Id", client.sessionId,
                        "MCP-Protocol-Version", "2025-11-25", "X-API-Key", "not-a-key", "Authorization", "ApiKey nope"));
                assertEquals(200, withKey.status(), withKey.text());
                assertEquals(0, edge.asked.get(), "requests put to the edge with security off");

                // nor a WebSocket upgrade, with a credential or without
                for (String key : new String[] {null, "not-a-key"}) {
                    CompletableFuture<String> pong = new CompletableFuture<>();
                    WebSocket.Builder upgrade = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mcp");
                    if (key != null) {
                        upgrade.header("X-API-Key", key);
                    }
                    WebSocket ws = upgrade.buildAsync(URI.create("ws://127.0.0.1:" + transport.port() + "/ws"),
                            new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                                    pong.complete(data.toString());
                                    return null;
                                }
                            }).get(10, TimeUnit.SECONDS);
                    ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", true).get(10, TimeUnit.SECONDS);
                    assertTrue(pong.get(10, TimeUnit.SECONDS).contains("\"result\""));
                    ws.abort();
                }
                assertEquals(0, edge.asked.get(), "upgrades put to the edge with security off");
            } finally {
                transport.close();
            }
        }
    }
}
