package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real server with security on (TCP and HTTP on free loopback ports, real signed JWTs from {@link TestTokens})
 * and the tool {@code echo}, plus raw clients: NDJSON lines over a socket and the JDK's HTTP client.
 */
final class SecuredServer implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final Path home;
    final TestTokens tokens;
    final McpServer server;
    final URI http;
    final int tcpPort;

    /** TCP and HTTP on free ports and nothing else configured. */
    SecuredServer(Path home) throws Exception {
        this(home, "", "");
    }

    /**
     * @param yaml     top-level configuration besides {@code server}, {@code plugins} and {@code security};
     *                 {@code transports} defaults to TCP and HTTP on free ports
     * @param security more keys of the {@code security} section, indented by two spaces
     */
    SecuredServer(Path home, String yaml, String security) throws Exception {
        this(home, yaml, security, Map.of());
    }

    /** @param overrides keys set as by {@code --set key=value}, over the file */
    SecuredServer(Path home, String yaml, String security, Map<String, String> overrides) throws Exception {
        this.home = home;
        this.tokens = new TestTokens();
        tokens.writeJwks(home.resolve("jwks.json"));
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, """
                server:
                  host: 127.0.0.1
                plugins:
                  dir: no-plugins
                security:
                  enabled: true
                  resource: %s
                  jwt:
                    jwks-file: jwks.json
                    issuer: %s
                """.formatted(TestTokens.AUDIENCE, TestTokens.ISSUER) + security + "\n"
                + (yaml.contains("transports:") ? "" : "transports:\n  tcp:\n    port: 0\n  http:\n    port: 0\n")
                + yaml);
        ServerConfig config = ServerConfig.from(ConfigLoader.load(file, null, overrides, Map.of()), home, file, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", SecuredServer.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("echo").param("text", "string", "text", true).build(),
                        (args, ctx) -> ToolResult.text(String.valueOf(args.get("text"))))),
                List.of(), List.of(), List.of(), List.of()));
        server.start();
        String h = server.endpoints().get("http");
        http = h == null ? null : URI.create("http://" + h);
        String t = server.endpoints().get("tcp");
        tcpPort = t == null ? -1 : Integer.parseInt(t.replaceAll(".*:", ""));
    }

    /**
     * A WebSocket (subprotocol {@code mcp}) of {@code subject}'s, initialized; every whole text message it receives is
     * added to {@code inbox}.
     */
    java.net.http.WebSocket webSocketAs(String subject, java.util.concurrent.BlockingQueue<String> inbox) throws Exception {
        java.net.http.WebSocket ws = HTTP.newWebSocketBuilder().subprotocols("mcp")
                .header("Authorization", "Bearer " + token(subject))
                .buildAsync(URI.create("ws://" + http.getAuthority() + "/ws"), new java.net.http.WebSocket.Listener() {
                    private final StringBuilder parts = new StringBuilder();

                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data,
                                                                          boolean last) {
                        parts.append(data);
                        if (last) {
                            inbox.add(parts.toString());
                            parts.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        ws.sendText(initialize(token(subject)), true).join();
        if (inbox.poll(10, java.util.concurrent.TimeUnit.SECONDS) == null) {
            throw new AssertionError(subject + ": initialize unanswered");
        }
        return ws;
    }

    String token(String subject) throws Exception {
        return tokens.rs256(TestTokens.claims(subject, null));
    }

    static String initialize(String bearer) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"},"
                + "\"_meta\":{\"io.mcpserver/authorization\":\"Bearer " + bearer + "\"}}}";
    }

    static String echo(int id, String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"" + text + "\"}}}";
    }

    static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(http.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String bearer, String sessionId, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.resolve("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A TCP client that has initialized as {@code subject}. */
    LineClient tcpAs(String subject) throws Exception {
        return tcpAs(subject, null);
    }

    /** A TCP client that has initialized as {@code subject} with a token granting {@code scope} (space-separated). */
    LineClient tcpAs(String subject, String scope) throws Exception {
        LineClient line = tcp();
        JsonNode init = line.request(initialize(tokens.rs256(TestTokens.claims(subject, scope))));
        if (!init.has("result")) {
            line.close();
            throw new AssertionError("initialize refused: " + init);
        }
        line.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return line;
    }

    /** A raw NDJSON client on the TCP listener (30 s for each message). */
    LineClient tcp() throws IOException {
        return LineClient.connect(tcpPort).timeout(Duration.ofSeconds(30));
    }

    List<JsonNode> lines(Path file) throws Exception {
        server.security().audit().awaitWritten(5, java.util.concurrent.TimeUnit.SECONDS);
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream().map(l -> {
            try {
                return Json.parse(l);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new AssertionError("not JSON: " + l, e);
            }
        }).toList();
    }

    @Override
    public void close() {
        server.close();
    }
}
