package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.server.testing.WsClient;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Security on every network edge of a real server: Streamable HTTP, legacy SSE, WebSocket and TCP on
 * loopback ports, with real signed JWTs, real clients (the JDK's HTTP and WebSocket clients, a raw socket).
 */
class SecuredTransportsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    @TempDir
    static Path home;
    private static TestTokens tokens;
    private static McpServer server;
    private static URI http;
    private static int tcpPort;

    @BeforeAll
    static void start() throws Exception {
        tokens = new TestTokens();
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
                security:
                  enabled: true
                  resource: %s
                  jwt:
                    jwks-file: jwks.json
                    issuer: %s
                  rules:
                    tools:
                      - match: "secret_*"
                        scopes: [secrets:read]
                """.formatted(TestTokens.AUDIENCE, TestTokens.ISSUER));
        ServerConfig config = ServerConfig.from(ConfigLoader.load(yaml, null, Map.of(), Map.of()), home, yaml, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", SecuredTransportsTest.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("echo").param("text", "string", "text", true).build(),
                                (args, ctx) -> ToolResult.text(String.valueOf(args.get("text")))),
                        Tool.of(ToolDescriptor.builder("secret_read").build(), (args, ctx) -> ToolResult.text("the secret"))),
                List.of(), List.of(), List.of(), List.of()));
        server.start();
        http = URI.create("http://" + server.endpoints().get("http"));
        tcpPort = Integer.parseInt(server.endpoints().get("tcp").replaceAll(".*:", ""));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String token(String subject, String scope) throws Exception {
        return tokens.rs256(TestTokens.claims(subject, scope));
    }

    /** Every kind of bad token, by what the server must say about it. */
    private static Map<String, String> badTokens() throws Exception {
        ObjectNode expired = TestTokens.claims("alice", null);
        long past = Instant.now().getEpochSecond() - 3600;
        expired.put("iat", past - 60).put("nbf", past - 60).put("exp", past);
        ObjectNode otherAudience = TestTokens.claims("alice", null).put("aud", "https://other.example/mcp");
        ObjectNode otherIssuer = TestTokens.claims("alice", null).put("iss", "https://evil.example");
        return Map.of(
                "expired", tokens.rs256(expired),
                "wrong_audience", tokens.rs256(otherAudience),
                "wrong_issuer", tokens.rs256(otherIssuer),
                "bad_signature", tokens.forgedRs256(TestTokens.claims("alice", null)),
                "unsupported_algorithm", TestTokens.unsigned("rsa-1", TestTokens.claims("alice", null)));
    }

    private static HttpResponse<String> post(String path, String token, String sessionId, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.resolve(path))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String session(String token) throws Exception {
        HttpResponse<String> r = post("/mcp", token, null, INIT);
        assertEquals(200, r.statusCode(), r.body());
        String id = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        post("/mcp", token, id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return id;
    }

    private static String call(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    // ---- HTTP ------------------------------------------------------------------------------------------

    @Test
    void protectedResourceMetadataIsServedAtBothWellKnownPaths() throws Exception {
        for (String path : List.of("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(http.resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
            JsonNode doc = Json.parse(r.body());
            assertEquals(TestTokens.AUDIENCE, doc.path("resource").asText());
            assertEquals(TestTokens.ISSUER, doc.path("authorization_servers").path(0).asText());
            assertEquals("secrets:read", doc.path("scopes_supported").path(0).asText());
        }
    }

    @Test
    void httpWithoutATokenIsChallengedTowardsTheMetadata() throws Exception {
        HttpResponse<String> r = post("/mcp", null, null, INIT);
        assertEquals(401, r.statusCode());
        assertEquals("Bearer resource_metadata=\"https://mcp.test/.well-known/oauth-protected-resource/mcp\"",
                r.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals(-32001, Json.parse(r.body()).path("error").path("code").asInt());
    }

    @Test
    void httpRefusesEveryBadToken() throws Exception {
        for (var bad : badTokens().entrySet()) {
            HttpResponse<String> r = post("/mcp", bad.getValue(), null, INIT);
            assertEquals(401, r.statusCode(), bad.getKey());
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer error=\"invalid_token\""),
                    bad.getKey());
        }
    }

    @Test
    void httpCallerWithoutTheScopeNeitherSeesNorCallsTheToolAndGets403() throws Exception {
        String alice = token("alice", null);
        String sid = session(alice);
        JsonNode list = Json.parse(post("/mcp", alice, sid, call(2, "tools/list", "{}")).body());
        assertEquals(List.of("echo"), names(list));
        HttpResponse<String> denied = post("/mcp", alice, sid, call(3, "tools/call", "{\"name\":\"secret_read\"}"));
        assertEquals(403, denied.statusCode(), denied.body());
        String challenge = denied.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertTrue(challenge.startsWith("Bearer error=\"insufficient_scope\", scope=\"secrets:read\""), challenge);
        assertEquals(-32003, Json.parse(denied.body()).path("error").path("code").asInt());

        // step-up: a new token of the same subject with the scope, on the same session
        String stepped = token("alice", "secrets:read");
        HttpResponse<String> allowed = post("/mcp", stepped, sid, call(4, "tools/call", "{\"name\":\"secret_read\"}"));
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertEquals("the secret", Json.parse(allowed.body()).at("/result/content/0/text").asText());
    }

    @Test
    void aClientThatAcceptsAStreamStillGetsTheRefusalAs403() throws Exception {
        String alice = token("alice", null);
        String sid = session(alice);
        HttpRequest streamed = HttpRequest.newBuilder(http.resolve("/mcp")).header("Authorization", "Bearer " + alice)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(call(5, "tools/call", "{\"name\":\"secret_read\"}"))).build();
        HttpResponse<String> denied = HTTP.send(streamed, HttpResponse.BodyHandlers.ofString());
        assertEquals(403, denied.statusCode(), denied.body());
        assertTrue(denied.headers().firstValue("WWW-Authenticate").orElseThrow().contains("scope=\"secrets:read\""));
        assertEquals(-32003, Json.parse(denied.body()).path("error").path("code").asInt());

        HttpRequest allowed = HttpRequest.newBuilder(streamed, (name, value) -> true)
                .POST(HttpRequest.BodyPublishers.ofString(call(6, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}")))
                .build();
        HttpResponse<String> ok = HTTP.send(allowed, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        // a call that emits nothing before its result is answered with one JSON body, even to a client taking both
        assertTrue(ok.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"), "allowed call");
        assertTrue(ok.body().contains("\"text\":\"hi\""), ok.body());
    }

    @Test
    void aStatelessRequestIsAuthenticatedAndRefusedWith403Too() throws Exception {
        ObjectNode params = (ObjectNode) parse("{\"name\":\"secret_read\",\"arguments\":{}}");
        ObjectNode meta = params.putObject("_meta");
        meta.put(RequestMeta.PROTOCOL_VERSION, "2026-07-28");
        meta.putObject(RequestMeta.CLIENT_CAPABILITIES);
        meta.putObject(RequestMeta.CLIENT_INFO).put("name", "stateless").put("version", "1");
        ObjectNode message = Json.object().put("jsonrpc", "2.0").put("id", 9).put("method", "tools/call");
        message.set("params", params);
        HttpRequest.Builder b = HttpRequest.newBuilder(http.resolve("/mcp")).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", "tools/call").header("Mcp-Name", "secret_read")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(message)));
        assertEquals(401, HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> denied = HTTP.send(b.header("Authorization", "Bearer " + token("alice", null)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, denied.statusCode(), denied.body());
        assertTrue(denied.headers().firstValue("WWW-Authenticate").orElseThrow().contains("insufficient_scope"));
    }

    @Test
    void anotherSubjectCannotUseSomeoneElsesSession() throws Exception {
        String sid = session(token("alice", null));
        HttpResponse<String> r = post("/mcp", token("mallory", "secrets:read"), sid, call(2, "tools/list", "{}"));
        assertEquals(404, r.statusCode(), r.body());
        assertEquals(401, post("/mcp", null, sid, call(3, "tools/list", "{}")).statusCode());
    }

    @Test
    void legacySseWantsATokenToo() throws Exception {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(http.resolve("/sse")).header("Accept", "text/event-stream")
                .build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElseThrow().contains("resource_metadata="));
        HttpResponse<String> post = post("/message?sessionId=x", token("alice", null), null, call(1, "ping", "{}"));
        assertEquals(404, post.statusCode(), "a valid token reaches the session lookup");
        assertEquals(401, post("/message?sessionId=x", null, null, call(1, "ping", "{}")).statusCode());
    }

    @Test
    void anotherSubjectCannotPostToSomeoneElsesLegacySseSession() throws Exception {
        String alice = token("alice", null);
        java.util.concurrent.BlockingQueue<String> data = new java.util.concurrent.LinkedBlockingQueue<>();
        HttpResponse<java.util.stream.Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(http.resolve("/sse"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + alice).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        Thread.ofVirtual().start(() -> stream.body().filter(l -> l.startsWith("data:"))
                .forEach(l -> data.add(l.substring(5).trim())));
        try {
            String endpoint = data.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull(endpoint, "the endpoint event");
            HttpResponse<String> mallory = post(endpoint, token("mallory", "secrets:read"), null, call(99, "ping", "{}"));
            assertEquals(404, mallory.statusCode(), "another subject's session is as if it did not exist: " + mallory.body());
            HttpResponse<String> own = post(endpoint, alice, null, INIT);
            assertEquals(202, own.statusCode(), own.body());
            JsonNode answer = Json.parse(data.poll(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(1, answer.path("id").asInt(), "alice's initialize is answered, nothing else: " + answer);
            assertTrue(answer.has("result"), answer.toString());
        } finally {
            stream.body().close();
        }
    }

    // ---- WebSocket -------------------------------------------------------------------------------------

    @Test
    void webSocketTakesTheHeaderOrTheAccessTokenParameter() throws Exception {
        try (WsClient ws = ws(token("alice", null), false)) {
            ws.send(INIT);
            assertEquals("2025-11-25", ws.next().at("/result/protocolVersion").asText());
            ws.send(call(2, "tools/list", "{}"));
            assertEquals(List.of("echo"), names(ws.next()));
            ws.send(call(3, "tools/call", "{\"name\":\"secret_read\"}"));
            assertEquals(-32003, ws.next().path("error").path("code").asInt());
        }
        try (WsClient ws = ws(token("bob", "secrets:read"), true)) {
            ws.send(INIT);
            ws.next();
            ws.send(call(2, "tools/call", "{\"name\":\"secret_read\"}"));
            assertEquals("the secret", ws.next().at("/result/content/0/text").asText());
        }
    }

    @Test
    void webSocketUpgradeIsRefusedWithoutAValidToken() throws Exception {
        assertEquals(401, upgradeStatus(null));
        for (var bad : badTokens().entrySet()) {
            assertEquals(401, upgradeStatus(bad.getValue()), bad.getKey());
        }
    }

    private static int upgradeStatus(String token) {
        CompletionException e = assertThrows(CompletionException.class, () -> ws(token, false).close());
        return assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse().statusCode();
    }

    // ---- TCP -------------------------------------------------------------------------------------------

    @Test
    void tcpAuthenticatesWithTheFirstMessage() throws Exception {
        try (LineClient tcp = tcp()) {
            tcp.send(initializeWith(token("alice", null)));
            JsonNode init = tcp.next();
            assertEquals("2025-11-25", init.at("/result/protocolVersion").asText(), init.toString());
            tcp.send(call(2, "tools/list", "{}"));
            assertEquals(List.of("echo"), names(tcp.next()));
            tcp.send(call(3, "tools/call", "{\"name\":\"secret_read\"}"));
            assertEquals(-32003, tcp.next().path("error").path("code").asInt());
        }
    }

    @Test
    void tcpWithoutAValidTokenGetsOneErrorAndIsClosed() throws Exception {
        List<String> cases = new ArrayList<>(badTokens().values());
        cases.add(null);
        for (String token : cases) {
            try (LineClient tcp = tcp()) {
                tcp.send(token == null ? INIT : initializeWith(token));
                JsonNode error = tcp.next();
                assertEquals(-32001, error.path("error").path("code").asInt(), error.toString());
                assertEquals(1, error.path("id").asInt());
                assertNull(tcp.read(), "then the connection is closed");
            }
        }
        try (LineClient tcp = tcp()) { // a first message that is not initialize
            tcp.send(call(7, "tools/list", "{}"));
            assertEquals(-32001, tcp.next().path("error").path("code").asInt());
            assertNull(tcp.read());
        }
    }

    @Test
    void theAuditTrailRecordsCallsAndRefusalsFromEveryNetworkTransport() throws Exception {
        try (LineClient tcp = tcp()) {
            tcp.send(initializeWith(token("audit-tcp", null)));
            tcp.next();
            tcp.send(call(2, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}"));
            tcp.next();
        }
        try (WsClient ws = ws(token("audit-ws", null), false)) {
            ws.send(INIT);
            ws.next();
            ws.send(call(2, "tools/call", "{\"name\":\"secret_read\"}"));
            ws.next();
        }
        String sid = session(token("audit-http", null));
        post("/mcp", token("audit-http", null), sid, call(2, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"y\"}}"));
        post("/mcp", badTokens().get("expired"), null, INIT);
        server.security().audit().awaitWritten(5, TimeUnit.SECONDS);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("logs/audit.log"))) {
            lines.add(Json.parse(line));
        }
        // refused authentications are in a file of their own, with the same fields
        for (String line : Files.readAllLines(home.resolve("logs/audit-refusals.log"))) {
            lines.add(Json.parse(line));
        }
        JsonNode tcpCall = find(lines, "audit-tcp");
        assertEquals("tcp", tcpCall.path("transport").asText());
        assertEquals("ok", tcpCall.path("outcome").asText());
        JsonNode wsCall = find(lines, "audit-ws");
        assertEquals("websocket", wsCall.path("transport").asText());
        assertEquals("denied", wsCall.path("outcome").asText());
        assertEquals("http", find(lines, "audit-http").path("transport").asText());
        assertTrue(lines.stream().anyMatch(l -> l.path("event").asText().equals("authentication")
                && l.path("error").path("reason").asText().equals("expired") && l.path("transport").asText().equals("http")));
        List<String> keys = new ArrayList<>();
        tcpCall.fieldNames().forEachRemaining(keys::add);
        for (JsonNode l : lines) {
            List<String> k = new ArrayList<>();
            l.fieldNames().forEachRemaining(k::add);
            assertEquals(keys, k, "same fields on every line: " + l);
        }
        String all = String.join("\n", Files.readAllLines(home.resolve("logs/audit.log")));
        assertFalse(all.contains(token("audit-http", null).substring(0, 20)), "no token in the audit trail");
    }

    private static JsonNode find(List<JsonNode> lines, String principal) {
        return lines.stream().filter(l -> principal.equals(l.path("principal").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no audit line for " + principal + ": " + lines));
    }

    private static String initializeWith(String token) {
        ObjectNode init = (ObjectNode) parse(INIT);
        ((ObjectNode) init.get("params")).putObject("_meta").put(FirstMessageAuth.META_KEY, "Bearer " + token);
        return Json.write(init);
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    private static JsonNode parse(String text) {
        try {
            return Json.parse(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    /** A WebSocket client with the token in the Authorization header or the access_token query parameter. */
    private static WsClient ws(String token, boolean asQueryParameter) {
        URI uri = URI.create("ws://" + http.getAuthority() + "/ws"
                + (token != null && asQueryParameter ? "?access_token=" + token : ""));
        Map<String, String> headers = token != null && !asQueryParameter ? Map.of("Authorization", "Bearer " + token) : Map.of();
        return WsClient.connectWith(headers, uri, "mcp");
    }

    private static LineClient tcp() throws IOException {
        return LineClient.connect(tcpPort).timeout(Duration.ofSeconds(10));
    }
}
