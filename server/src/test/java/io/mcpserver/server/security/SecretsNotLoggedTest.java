package io.mcpserver.server.security;

import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A secured server that receives tokens every way a client can send them (HTTP {@code Authorization},
 * WebSocket {@code ?access_token=}, the TCP first message), good and bad, with the server's own loggers at
 * their most verbose: its captured log never holds a token (nor a token's signature), nor a configured secret.
 * The observe endpoints answer without a token.
 */
class SecretsNotLoggedTest {

    private static final String REQUEST_STATE_KEY = Base64.getEncoder().encodeToString(
            "0123456789abcdef0123456789abcdef-secret".getBytes(StandardCharsets.US_ASCII));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path home;
    private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Logger ours = Logger.getLogger("io.mcpserver");
    private Level oursBefore;
    private Handler capture;

    @BeforeEach
    void captureLog() {
        SimpleFormatter formatter = new SimpleFormatter();
        capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                StringWriter trace = new StringWriter();
                if (r.getThrown() != null) {
                    r.getThrown().printStackTrace(new PrintWriter(trace));
                }
                log.add(r.getLoggerName() + " " + r.getLevel() + " " + formatter.formatMessage(r) + " " + trace);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        oursBefore = ours.getLevel();
        ours.setLevel(Level.ALL); // DEBUG and TRACE lines too
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void release() {
        Logger.getLogger("").removeHandler(capture);
        ours.setLevel(oursBefore);
    }

    @Test
    void tokensAndConfiguredSecretsNeverReachTheLog() throws Exception {
        TestTokens tokens = new TestTokens();
        tokens.writeJwks(home.resolve("jwks.json"));
        Path yaml = home.resolve("mcp.yaml");
        Files.writeString(yaml, """
                server:
                  host: 127.0.0.1
                transports:
                  tcp:
                    port: 0
                  http:
                    port: 0
                protocol:
                  request-state-key: %s
                security:
                  enabled: true
                  resource: %s
                  jwt:
                    jwks-file: jwks.json
                    issuer: %s
                plugins:
                  dir: none
                """.formatted(REQUEST_STATE_KEY, TestTokens.AUDIENCE, TestTokens.ISSUER));
        ServerConfig config = ServerConfig.from(ConfigLoader.load(yaml, null, Map.of(), Map.of()), home, yaml, "test");
        String good = tokens.rs256(TestTokens.claims("alice", null));
        String forged = tokens.forgedRs256(TestTokens.claims("mallory", null));
        String expired = tokens.rs256(TestTokens.claims("bob", null).put("exp", 1_000_000_000L));
        List<String> secrets = List.of(good, forged, expired, REQUEST_STATE_KEY);

        McpServer server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        try {
            server.start();
            URI http = URI.create("http://" + server.endpoints().get("http"));
            int tcpPort = Integer.parseInt(server.endpoints().get("tcp").replaceAll(".*:", ""));
            String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}%s}}";

            // HTTP: Authorization on every request
            for (String token : List.of(good, forged, expired)) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(http.resolve("/mcp"))
                        .header("Content-Type", "application/json").header("Accept", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(init.formatted(""))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(token.equals(good) ? 200 : 401, r.statusCode(), r.body());
            }
            // WebSocket: the access_token query parameter browsers use
            for (String token : List.of(good, forged)) {
                try {
                    WebSocket ws = HTTP.newWebSocketBuilder().subprotocols("mcp")
                            .buildAsync(URI.create("ws://" + server.endpoints().get("http") + "/ws?access_token=" + token),
                                    new WebSocket.Listener() { }).join();
                    ws.sendText(init.formatted(""), true).join();
                    Thread.sleep(100);
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
                    assertEquals(good, token);
                } catch (CompletionException e) {
                    assertEquals(forged, token, "only the forged token is refused: " + e);
                }
            }
            // TCP: the first message carries it; then a line that is no JSON and mentions a token
            for (String token : List.of(good, forged)) {
                try (Socket socket = new Socket("127.0.0.1", tcpPort)) {
                    OutputStream out = socket.getOutputStream();
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.UTF_8));
                    out.write((init.formatted(",\"_meta\":{\"io.mcpserver/authorization\":\"Bearer " + token + "\"}")
                            + "\nAuthorization: Bearer " + token + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    String first = in.readLine();
                    assertEquals(token.equals(good), first.contains("\"result\""), first);
                }
            }
            // operations endpoints: no token needed, even with security on
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(http.resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(http.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        } finally {
            server.close();
        }

        List<String> lines = List.copyOf(log);
        assertTrue(lines.size() > 10, "the log was captured: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("refused")), "refusals are logged, without the token");
        for (String secret : secrets) {
            String signature = secret.contains(".") ? secret.substring(secret.lastIndexOf('.') + 1) : secret;
            for (String line : lines) {
                assertFalse(line.contains(secret) || (signature.length() > 16 && line.contains(signature)),
                        "a secret reached the log:\n" + line);
            }
        }
    }
}
