package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.server.transport.TestCertificates;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS, WSS and TLS over TCP with certificates made in the test, bearer tokens on top, and a TLS client
 * certificate standing for a configured subject on TCP.
 */
class TlsSecurityTest {

    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    private static final String SECRET_CALL =
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"secret_read\"}}";

    @TempDir
    static Path home;
    private static TestTokens tokens;
    private static TestCertificates serverCert;
    private static TestCertificates botCert;
    private static TestCertificates plainBotCert;
    private static McpServer server;
    private static int httpsPort;
    private static int tlsTcpPort;

    @BeforeAll
    static void start() throws Exception {
        tokens = new TestTokens();
        tokens.writeJwks(home.resolve("jwks.json"));
        serverCert = TestCertificates.create(home, "server");
        botCert = TestCertificates.create(home, "build-bot");
        plainBotCert = TestCertificates.clientWithoutSan(home, "build-bot-plain", "build-bot");
        Path httpClientCa = home.resolve("http-client-ca.pem");
        Files.writeString(httpClientCa, Files.readString(plainBotCert.certificatePem()));
        Path yaml = home.resolve("mcp.yaml");
        Files.writeString(yaml, """
                server:
                  host: 127.0.0.1
                transports:
                  tcp:
                    port: 0
                    tls:
                      enabled: true
                      certificate: %1$s
                      private-key: %2$s
                      client-auth: optional
                      client-ca: %3$s
                  http:
                    port: 0
                    tls:
                      enabled: true
                      keystore: %4$s
                      keystore-password: changeit
                      client-auth: optional
                      client-ca: %7$s
                security:
                  enabled: true
                  resource: %5$s
                  jwt:
                    jwks-file: jwks.json
                    issuer: %6$s
                  client-certificates:
                    build-bot:
                      scopes: [secrets:read]
                  rules:
                    tools:
                      - match: "secret_*"
                        scopes: [secrets:read]
                """.formatted(serverCert.certificatePem(), serverCert.privateKeyPem(), botCert.certificatePem(),
                serverCert.keystore(), TestTokens.AUDIENCE, TestTokens.ISSUER, httpClientCa));
        ServerConfig config = ServerConfig.from(ConfigLoader.load(yaml, null, Map.of(), Map.of()), home, yaml, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", TlsSecurityTest.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("secret_read").build(), (args, ctx) -> ToolResult.text("the secret"))),
                List.of(), List.of(), List.of(), List.of()));
        server.start();
        httpsPort = URI.create(server.endpoints().get("http")).getPort();
        tlsTcpPort = URI.create(server.endpoints().get("tcp")).getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String initializeWith(String token) throws Exception {
        ObjectNode init = (ObjectNode) Json.parse(INIT);
        ((ObjectNode) init.get("params")).putObject("_meta").put(FirstMessageAuth.META_KEY, "Bearer " + token);
        return Json.write(init);
    }

    @Test
    void httpsWithATokenWorksAndWithoutOneIs401() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.clientContext(serverCert, null)).build();
        URI mcp = URI.create("https://127.0.0.1:" + httpsPort + "/mcp");
        HttpRequest.Builder init = HttpRequest.newBuilder(mcp).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(INIT));
        assertEquals(401, client.send(init.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        String token = tokens.es256(TestTokens.claims("alice", null));
        HttpResponse<String> ok = client.send(init.header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.headers().firstValue("Mcp-Session-Id").isPresent());
    }

    /**
     * Outside testing: HTTPS refused ordinary client certificates (TLS alert 46 unless they named IP:127.0.0.1),
     * because the server checked them for a host name; and an accepted one did not stand for its subject as on TCP.
     */
    @Test
    void anOrdinaryClientCertificateStandsForItsSubjectOverHttps() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TestCertificates.clientContext(serverCert, plainBotCert)).build();
        URI mcp = URI.create("https://127.0.0.1:" + httpsPort + "/mcp");
        HttpResponse<String> init = client.send(HttpRequest.newBuilder(mcp).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(INIT)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, init.statusCode(), "no token: the certificate is the credential; " + init.body());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        client.send(HttpRequest.newBuilder(mcp).header("Content-Type", "application/json")
                .header("Accept", "application/json").header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> secret = client.send(HttpRequest.newBuilder(mcp).header("Content-Type", "application/json")
                .header("Accept", "application/json").header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(SECRET_CALL)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("the secret", Json.parse(secret.body()).at("/result/content/0/text").asText(), secret.body());
    }

    /** Outside testing: a TLS 1.2 client could renegotiate at will, making the server run handshake after handshake. */
    @Test
    void clientInitiatedRenegotiationIsRefusedOnEveryTlsListener() throws Exception {
        for (int port : new int[] {tlsTcpPort, httpsPort}) {
            SSLSocket socket = (SSLSocket) TestCertificates.clientContext(serverCert, null).getSocketFactory()
                    .createSocket("127.0.0.1", port);
            try (socket) {
                socket.setSoTimeout(10_000);
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.startHandshake();
                socket.startHandshake(); // asks the server for a renegotiation
                assertThrows(IOException.class, () -> {
                    // the refusal arrives as an alert, or the server drops the connection
                    socket.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    if (socket.getInputStream().read() < 0) {
                        throw new IOException("closed");
                    }
                }, "port " + port);
            }
        }
    }

    @Test
    void wssWithATokenWorks() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.clientContext(serverCert, null)).build();
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        WebSocket ws = client.newWebSocketBuilder().subprotocols("mcp")
                .header("Authorization", "Bearer " + tokens.rs256(TestTokens.claims("alice", null)))
                .buildAsync(URI.create("wss://127.0.0.1:" + httpsPort + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        inbox.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText(INIT, true).join();
        String reply = inbox.poll(10, TimeUnit.SECONDS);
        assertNotNull(reply);
        assertEquals("2025-11-25", Json.parse(reply).at("/result/protocolVersion").asText());
        ws.abort();
    }

    @Test
    void aClientCertificateStandsForItsConfiguredSubjectOnTcp() throws Exception {
        try (LineClient tcp = tls(TestCertificates.clientContext(serverCert, botCert), tlsTcpPort)) {
            tcp.send(INIT); // no token: the certificate is the credential
            assertEquals("2025-11-25", tcp.next().at("/result/protocolVersion").asText());
            tcp.send(SECRET_CALL);
            assertEquals("the secret", tcp.next().at("/result/content/0/text").asText());
        }
    }

    @Test
    void withoutACertificateTlsTcpWantsATokenInTheFirstMessage() throws Exception {
        SSLContext context = TestCertificates.clientContext(serverCert, null);
        try (LineClient tcp = tls(context, tlsTcpPort)) {
            tcp.send(INIT);
            assertEquals(-32001, tcp.next().path("error").path("code").asInt());
        }
        try (LineClient tcp = tls(context, tlsTcpPort)) {
            tcp.send(initializeWith(tokens.rs256(TestTokens.claims("alice", null))));
            assertEquals("2025-11-25", tcp.next().at("/result/protocolVersion").asText());
            tcp.send(SECRET_CALL);
            assertEquals(-32003, tcp.next().path("error").path("code").asInt());
        }
    }

    @Test
    void plainTextClientsOnTheTlsPortsFailCleanly() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", tlsTcpPort)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write((INIT + "\n").getBytes(StandardCharsets.UTF_8));
            plain.getOutputStream().flush();
            byte[] answer = plain.getInputStream().readNBytes(4096); // a TLS alert at most, then the end
            assertTrue(!new String(answer, StandardCharsets.ISO_8859_1).contains("jsonrpc"),
                    "no JSON-RPC is spoken without TLS");
        } catch (java.net.SocketTimeoutException hung) {
            org.junit.jupiter.api.Assertions.fail("the TLS port neither refused nor closed a plain-text connection");
        } catch (IOException reset) {
            // a reset is a clean refusal too
        }
        HttpClient plainHttp = HttpClient.newHttpClient();
        assertThrows(IOException.class, () -> plainHttp.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpsPort + "/mcp")).POST(HttpRequest.BodyPublishers.ofString(INIT))
                .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        aClientCertificateStandsForItsConfiguredSubjectOnTcp(); // and the server still serves TLS clients
    }

    /** An NDJSON client over a TLS socket, the handshake done. */
    private static LineClient tls(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.startHandshake();
        return new LineClient(socket).timeout(Duration.ofSeconds(10));
    }
}
