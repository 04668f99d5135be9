package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.plugins.LoadedPlugin;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.transport.PluginTransport;
import io.mcpserver.server.transport.TestCertificates;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import io.mcpserver.spi.transport.Transport;
import io.mcpserver.spi.transport.TransportContext;
import io.mcpserver.spi.transport.TransportFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One edge authenticator for every transport: a plugin transport's clients authenticate like TCP's, and a
 * refused WebSocket upgrade points at the same protected resource metadata as a refused HTTP request (here over
 * TLS, with no {@code security.resource} configured, so the URL comes from how the client reached the listener).
 */
class EdgeAuthenticationTest {

    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    private static final String WHOAMI =
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"whoami\"}}";

    @TempDir
    static Path home;
    private static TestTokens tokens;
    private static TestCertificates serverCert;
    private static ServerConfig config;
    private static McpServer server;
    private static int httpsPort;

    @BeforeAll
    static void start() throws Exception {
        tokens = new TestTokens();
        tokens.writeJwks(home.resolve("jwks.json"));
        serverCert = TestCertificates.create(home, "server");
        Path yaml = home.resolve("mcp.yaml");
        Files.writeString(yaml, """
                server:
                  host: 127.0.0.1
                transports:
                  tcp:
                    enabled: false
                  http:
                    port: 0
                    tls:
                      enabled: true
                      keystore: %1$s
                      keystore-password: changeit
                security:
                  enabled: true
                  jwt:
                    jwks-file: jwks.json
                    issuer: %2$s
                    audience: [%3$s]
                """.formatted(serverCert.keystore(), TestTokens.ISSUER, TestTokens.AUDIENCE));
        config = ServerConfig.from(ConfigLoader.load(yaml, null, Map.of(), Map.of()), home, yaml, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", EdgeAuthenticationTest.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("whoami").build(),
                        (args, ctx) -> ToolResult.text(ctx.caller().subject() + "@" + ctx.caller().transport()))),
                List.of(), List.of(), List.of(), List.of()));
        server.start();
        httpsPort = URI.create(server.endpoints().get("http")).getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aPluginTransportsClientsAuthenticateWithTheirFirstMessageLikeTcp() throws Exception {
        AtomicReference<TransportContext> context = new AtomicReference<>();
        TransportFactory factory = new TransportFactory() {
            @Override
            public String name() {
                return "pipe";
            }

            @Override
            public Transport create(TransportContext c) {
                context.set(c);
                return new Transport() {
                    @Override
                    public void start() {
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        McpPlugin plugin = () -> "pipe-plugin";
        PluginTransport transport = new PluginTransport(server.core(), factory,
                new LoadedPlugin(plugin, home, getClass().getClassLoader(), null), config, server.security().edge());
        transport.start();
        try {
            BlockingQueue<String> out = new LinkedBlockingQueue<>();
            try (TransportContext.Connection c = context.get().open("pipe-peer-1", out::add)) {
                c.receive(INIT); // no credential
                JsonNode refused = Json.parse(next(out));
                assertEquals(-32001, refused.path("error").path("code").asInt(), refused.toString());
                c.receive(WHOAMI); // still nobody: nothing runs
                assertEquals(-32001, Json.parse(next(out)).path("error").path("code").asInt());

                c.receive(initializeWith(tokens.rs256(TestTokens.claims("carol", null))));
                JsonNode init = Json.parse(next(out));
                assertEquals("2025-11-25", init.at("/result/protocolVersion").asText(), init.toString());
                c.receive(WHOAMI);
                assertEquals("carol@pipe", Json.parse(next(out)).at("/result/content/0/text").asText());
            }
        } finally {
            transport.close();
        }
    }

    @Test
    void aRefusedWebSocketUpgradeIsChallengedLikeHttpOverTls() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.clientContext(serverCert, null)).build();
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort + "/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(INIT)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, post.statusCode());
        String expected = "Bearer resource_metadata=\"https://127.0.0.1:" + httpsPort
                + "/.well-known/oauth-protected-resource/mcp\"";
        assertEquals(expected, post.headers().firstValue("WWW-Authenticate").orElseThrow());

        CompletionException e = assertThrows(CompletionException.class, () -> client.newWebSocketBuilder()
                .subprotocols("mcp").buildAsync(URI.create("wss://127.0.0.1:" + httpsPort + "/ws"),
                        new WebSocket.Listener() {
                        }).orTimeout(10, TimeUnit.SECONDS).join());
        HttpResponse<?> upgrade = assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse();
        assertEquals(401, upgrade.statusCode());
        assertEquals(expected, upgrade.headers().firstValue("WWW-Authenticate").orElseThrow(),
                "wss:// is https://, as for the HTTP request on the same listener");
    }

    private static String next(BlockingQueue<String> out) throws InterruptedException {
        String message = out.poll(10, TimeUnit.SECONDS);
        assertNotNull(message, "no answer");
        assertTrue(!message.contains("Bearer "), "the token is never echoed");
        return message;
    }

    private static String initializeWith(String token) throws Exception {
        ObjectNode init = (ObjectNode) Json.parse(INIT);
        ((ObjectNode) init.get("params")).putObject("_meta").put(FirstMessageAuth.META_KEY, "Bearer " + token);
        return Json.write(init);
    }
}
