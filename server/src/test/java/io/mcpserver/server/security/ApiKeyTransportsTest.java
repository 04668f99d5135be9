package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.server.testing.WsClient;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.auth.Credential;
import io.mcpserver.spi.auth.CredentialCheck;
import io.mcpserver.spi.auth.CredentialChecker;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
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
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys on every network edge of a real server (Streamable HTTP, legacy SSE, the WebSocket upgrade, the TCP first
 * message) with security on and no JWT configured: both header forms, scopes enforced per tool, and the same refusal
 * for an unknown, a wrong and an expired key, audited without the key. Also a plugin's credential checker.
 */
class ApiKeyTransportsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String READER = ApiKeyChecker.newKey();
    private static final String ADMIN = ApiKeyChecker.newKey();
    private static final String EXPIRED = ApiKeyChecker.newKey();
    private static final String FROM_FILE = ApiKeyChecker.newKey();

    @TempDir
    static Path home;
    private static McpServer server;
    private static URI http;
    private static int tcpPort;

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(home.resolve("api-keys.yaml"), keysFile(FROM_FILE, "file-bot"));
        Path yaml = home.resolve("mcp.yaml");
        Files.writeString(yaml, """
                server:
                  host: 127.0.0.1
                plugins:
                  dir: no-plugins
                transports:
                  tcp:
                    port: 0
                  http:
                    port: 0
                security:
                  enabled: true
                  resource: https://mcp.example.com/mcp
                  api-keys:
                    reader:
                      hash: "%s"
                      scopes: [tools:read]
                    admin:
                      hash: "%s"
                      subject: root
                      scopes: [tools:read, secrets:read]
                      roles: [admin]
                      expires: 2999-01-01T00:00:00Z
                    old:
                      hash: "%s"
                      scopes: [tools:read, secrets:read]
                      expires: 2020-01-01
                  api-keys-file: api-keys.yaml
                  rules:
                    tools:
                      - match: "secret_*"
                        scopes: [secrets:read]
                """.formatted(ApiKeyChecker.hash(READER), ApiKeyChecker.hash(ADMIN), ApiKeyChecker.hash(EXPIRED)));
        ServerConfig config = ServerConfig.from(ConfigLoader.load(yaml, null, Map.of(), Map.of()), home, yaml, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", ApiKeyTransportsTest.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("echo").param("text", "string", "text", true).build(),
                                (args, ctx) -> ToolResult.text(ctx.caller().subject() + ":" + args.get("text"))),
                        Tool.of(ToolDescriptor.builder("secret_read").build(), (args, ctx) -> ToolResult.text("the secret"))),
                List.of(), List.of(), List.of(), List.of()));
        server.start();
        server.plugins().register(new CheckerPlugin());
        http = URI.create("http://" + server.endpoints().get("http"));
        tcpPort = Integer.parseInt(server.endpoints().get("tcp").replaceAll(".*:", ""));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String keysFile(String key, String name) {
        return "api-keys:\n  " + name + ":\n    hash: \"" + ApiKeyChecker.hash(key) + "\"\n    scopes: [tools:read]\n";
    }

    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}%s}}";

    private static String init(String authorization) {
        return INIT.formatted(authorization == null ? ""
                : ",\"_meta\":{\"io.mcpserver/authorization\":\"" + authorization + "\"}");
    }

    private static String call(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private static HttpResponse<String> post(String path, Map<String, String> headers, String sessionId, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.resolve(path))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body of a JSON or SSE answer, as the one JSON-RPC message in it. */
    private static JsonNode message(HttpResponse<String> r) throws Exception {
        String body = r.body();
        if (body.startsWith("{")) {
            return Json.parse(body);
        }
        for (String line : body.split("\n")) {
            if (line.startsWith("data:") && line.length() > 6) {
                return Json.parse(line.substring(5).trim());
            }
        }
        throw new AssertionError("no message in " + body);
    }

    /** A Streamable HTTP session opened with these headers, and its id. */
    private static String session(Map<String, String> headers) throws Exception {
        HttpResponse<String> r = post("/mcp", headers, null, init(null));
        assertEquals(200, r.statusCode(), r.body());
        String sid = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        post("/mcp", headers, sid, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return sid;
    }

    @Test
    void httpTakesBothHeaderFormsAndEnforcesTheKeysScopes() throws Exception {
        for (Map<String, String> reader : List.of(Map.of("Authorization", "ApiKey " + READER),
                Map.of("authorization", "apikey " + READER), Map.of("X-API-Key", READER))) {
            String sid = session(reader);
            JsonNode echo = message(post("/mcp", reader, sid,
                    call(2, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}")));
            assertEquals("reader:hi", echo.at("/result/content/0/text").asText(), "the subject defaults to the name");
            HttpResponse<String> secret = post("/mcp", reader, sid, call(3, "tools/call", "{\"name\":\"secret_read\"}"));
            assertEquals(403, secret.statusCode(), "a scope the key lacks: " + secret.body());
            assertTrue(secret.headers().firstValue("WWW-Authenticate").orElseThrow().contains("insufficient_scope"));
            JsonNode list = message(post("/mcp", reader, sid, call(4, "tools/list", "{}")));
            assertEquals("[\"echo\"]", names(list));
        }
        Map<String, String> admin = Map.of("X-API-Key", ADMIN);
        String sid = session(admin);
        JsonNode secret = message(post("/mcp", admin, sid, call(2, "tools/call", "{\"name\":\"secret_read\"}")));
        assertEquals("the secret", secret.at("/result/content/0/text").asText(), secret.toString());
        JsonNode echo = message(post("/mcp", admin, sid,
                call(3, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}")));
        assertEquals("root:x", echo.at("/result/content/0/text").asText(), "the configured subject");
    }

    private static String names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.at("/result/tools").forEach(t -> names.add(t.path("name").asText()));
        return Json.write(Json.MAPPER.valueToTree(names));
    }

    @Test
    void unknownWrongAndExpiredKeysGetTheSameRefusalAndTheAuditNeverHoldsAKey() throws Exception {
        String unknown = ApiKeyChecker.newKey();
        String wrong = READER.substring(0, READER.length() - 1) + (READER.endsWith("A") ? "B" : "A");
        List<String> answers = new ArrayList<>();
        for (String key : List.of(unknown, wrong, EXPIRED)) {
            for (Map<String, String> headers : List.of(Map.of("X-API-Key", key), Map.of("Authorization", "ApiKey " + key))) {
                HttpResponse<String> r = post("/mcp", headers, null, init(null));
                assertEquals(401, r.statusCode(), r.body());
                answers.add(r.statusCode() + " " + r.headers().firstValue("WWW-Authenticate").orElseThrow() + " " + r.body());
            }
        }
        assertEquals(1, answers.stream().distinct().count(), "one refusal for all: " + answers);
        assertTrue(answers.getFirst().contains("the API key is not valid"), answers.getFirst());

        server.security().audit().awaitWritten(5, TimeUnit.SECONDS);
        Path refusals = home.resolve("logs/audit-refusals.log");
        String text = Files.readString(refusals);
        for (String key : List.of(unknown, wrong, EXPIRED, READER)) {
            assertFalse(text.contains(key), "no key in the audit trail");
            assertFalse(text.contains(key.substring(4, 20)), "not even a part of one");
        }
        JsonNode line = Json.parse(text.lines().filter(l -> l.contains("invalid_api_key") && l.contains("\"http\"")).findFirst().orElseThrow());
        assertEquals("authentication", line.path("event").asText());
        assertEquals("http", line.path("transport").asText());
        assertEquals("unauthenticated", line.path("outcome").asText());
        assertEquals(-32001, line.at("/error/code").asInt());
        assertEquals("the API key is not valid", line.at("/error/message").asText());
        assertTrue(line.path("remote").asText().startsWith("127.0.0.1"), line.toString());
    }

    @Test
    void callsMadeWithAKeyAreAuditedAsItsSubject() throws Exception {
        Map<String, String> admin = Map.of("Authorization", "ApiKey " + ADMIN);
        String sid = session(admin);
        post("/mcp", admin, sid, call(2, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"audited\"}}"));
        server.security().audit().awaitWritten(5, TimeUnit.SECONDS);
        JsonNode line = Files.readAllLines(home.resolve("logs/audit.log")).stream().map(ApiKeyTransportsTest::parse)
                .filter(l -> l.path("principal").asText().equals("root")).reduce((a, b) -> b).orElseThrow();
        assertEquals("call", line.path("event").asText());
        assertEquals("echo", line.path("target").asText());
        assertEquals("http", line.path("transport").asText());
        assertFalse(Files.readString(home.resolve("logs/audit.log")).contains(ADMIN));
    }

    private static JsonNode parse(String line) {
        try {
            return Json.parse(line);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }

    @Test
    void legacySseTakesAKey() throws Exception {
        assertEquals(401, HTTP.send(HttpRequest.newBuilder(http.resolve("/sse")).header("Accept", "text/event-stream")
                .header("X-API-Key", EXPIRED).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        BlockingQueue<String> data = new LinkedBlockingQueue<>();
        HttpResponse<java.util.stream.Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(http.resolve("/sse"))
                .header("Accept", "text/event-stream").header("X-API-Key", ADMIN).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        Thread.ofVirtual().start(() -> stream.body().filter(l -> l.startsWith("data:"))
                .forEach(l -> data.add(l.substring(5).trim())));
        try {
            String endpoint = data.poll(10, TimeUnit.SECONDS);
            assertNotNull(endpoint, "the endpoint event");
            assertEquals(404, post(endpoint, Map.of("X-API-Key", READER), null, init(null)).statusCode(),
                    "another key's subject does not own the session: as if it did not exist");
            assertEquals(401, post(endpoint, Map.of(), null, init(null)).statusCode(), "every POST carries the key");
            assertEquals(202, post(endpoint, Map.of("Authorization", "ApiKey " + ADMIN), null, init(null)).statusCode());
            JsonNode answer = Json.parse(data.poll(10, TimeUnit.SECONDS));
            assertEquals("2025-11-25", answer.at("/result/protocolVersion").asText(), answer.toString());
        } finally {
            stream.body().close();
        }
    }

    @Test
    void webSocketUpgradeTakesAKey() throws Exception {
        URI ws = URI.create("ws://" + http.getAuthority() + "/ws");
        for (Map<String, String> headers : List.of(Map.of("X-API-Key", ADMIN), Map.of("Authorization", "ApiKey " + ADMIN))) {
            try (WsClient client = WsClient.connectWith(headers, ws, "mcp")) {
                client.send(init(null));
                assertEquals("2025-11-25", client.next().at("/result/protocolVersion").asText());
                client.send(call(2, "tools/call", "{\"name\":\"secret_read\"}"));
                assertEquals("the secret", client.next().at("/result/content/0/text").asText());
            }
        }
        try (WsClient client = WsClient.connectWith(Map.of("X-API-Key", READER), ws, "mcp")) {
            client.send(init(null));
            client.next();
            client.send(call(2, "tools/call", "{\"name\":\"secret_read\"}"));
            assertEquals(-32003, client.next().path("error").path("code").asInt(), "scopes hold on WebSocket too");
        }
        for (String bad : List.of(EXPIRED, ApiKeyChecker.newKey())) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> WsClient.connectWith(Map.of("X-API-Key", bad), ws, "mcp").close());
            assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse().statusCode());
        }
    }

    @Test
    void tcpTakesAKeyInTheFirstMessage() throws Exception {
        try (LineClient tcp = LineClient.connect(tcpPort).timeout(Duration.ofSeconds(30))) {
            tcp.send(init("ApiKey " + READER));
            assertEquals("2025-11-25", tcp.next().at("/result/protocolVersion").asText());
            tcp.send(call(2, "tools/call", "{\"name\":\"secret_read\"}"));
            assertEquals(-32003, tcp.next().path("error").path("code").asInt(), "scopes hold on TCP too");
            tcp.send(call(3, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"t\"}}"));
            assertEquals("reader:t", tcp.next().at("/result/content/0/text").asText());
        }
        List<String> refusals = new ArrayList<>();
        for (String bad : List.of(EXPIRED, ApiKeyChecker.newKey())) {
            try (LineClient tcp = LineClient.connect(tcpPort).timeout(Duration.ofSeconds(30))) {
                tcp.send(init("ApiKey " + bad));
                JsonNode error = tcp.next();
                assertEquals(-32001, error.at("/error/code").asInt(), error.toString());
                assertEquals("invalid_api_key", error.at("/error/data/reason").asText());
                refusals.add(error.toString());
                assertTrue(tcp.awaitEof(10_000), "then the connection is closed");
            }
        }
        assertEquals(refusals.get(0), refusals.get(1), "an expired key is refused like an unknown one");
    }

    @Test
    void aKeysFileIsReadAndReReadWhenItChanges() throws Exception {
        Map<String, String> fromFile = Map.of("X-API-Key", FROM_FILE);
        assertEquals(200, post("/mcp", fromFile, null, init(null)).statusCode());
        String added = ApiKeyChecker.newKey();
        Path file = home.resolve("api-keys.yaml");
        Files.writeString(file, keysFile(FROM_FILE, "file-bot") + keysFile(added, "added").replace("api-keys:\n", ""));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int status;
        do {
            Thread.sleep(200);
            status = post("/mcp", Map.of("X-API-Key", added), null, init(null)).statusCode();
        } while (status != 200 && System.nanoTime() < deadline);
        assertEquals(200, status, "a key added to the file is accepted without a restart");
        String good = Files.readString(file);
        try {
            Files.writeString(file, "api-keys: [not, a, map");
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            Thread.sleep(1_500);
            assertEquals(200, post("/mcp", Map.of("X-API-Key", added), null, init(null)).statusCode(),
                    "a broken edit keeps the keys read before");
            // nested without end: the re-read on this request's thread overflowed Helidon's reader's stack before
            Files.writeString(file, "api-keys: &k\n  again: *k\n");
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 15_000));
            Thread.sleep(1_500);
            assertEquals(200, post("/mcp", Map.of("X-API-Key", added), null, init(null)).statusCode(),
                    "an edit that nests without end keeps the keys read before");
        } finally {
            Files.writeString(file, good); // other tests read this configuration again
        }
    }

    @Test
    void aPluginsCheckerTakesItsOwnSchemeAndOneThatThrowsOnlyRefuses() throws Exception {
        HttpResponse<String> ok = post("/mcp", Map.of("Authorization", "Custom let-me-in"), null, init(null));
        assertEquals(200, ok.statusCode(), ok.body());
        HttpResponse<String> no = post("/mcp", Map.of("Authorization", "Custom nope"), null, init(null));
        assertEquals(401, no.statusCode(), no.body());
        assertTrue(no.body().contains("not on the list"), no.body());
        HttpResponse<String> thrown = post("/mcp", Map.of("Authorization", "Boom x"), null, init(null));
        assertEquals(401, thrown.statusCode(), thrown.body());
        assertFalse(thrown.body().contains("Exception"), thrown.body());
        HttpResponse<String> unknown = post("/mcp", Map.of("Authorization", "Basic dXNlcjpwYXNz"), null, init(null));
        assertEquals(401, unknown.statusCode());
        assertTrue(unknown.body().contains("unsupported_scheme") || unknown.body().contains("not accepted"), unknown.body());
        try (LineClient tcp = LineClient.connect(tcpPort).timeout(Duration.ofSeconds(30))) {
            tcp.send(init("Custom let-me-in"));
            assertEquals("2025-11-25", tcp.next().at("/result/protocolVersion").asText());
            tcp.send(call(2, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"p\"}}"));
            assertEquals("plugin-user:p", tcp.next().at("/result/content/0/text").asText());
        }
    }

    @Test
    void aPluginTransportsFirstMessageTakesAKey() throws Exception {
        java.util.concurrent.atomic.AtomicReference<io.mcpserver.spi.transport.TransportContext> context =
                new java.util.concurrent.atomic.AtomicReference<>();
        io.mcpserver.spi.transport.TransportFactory factory = new io.mcpserver.spi.transport.TransportFactory() {
            @Override
            public String name() {
                return "pipe";
            }

            @Override
            public io.mcpserver.spi.transport.Transport create(io.mcpserver.spi.transport.TransportContext c) {
                context.set(c);
                return new io.mcpserver.spi.transport.Transport() {
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
        ServerConfig config = ServerConfig.from(ConfigLoader.load(home.resolve("mcp.yaml"), null, Map.of(), Map.of()),
                home, home.resolve("mcp.yaml"), "test");
        var transport = new io.mcpserver.server.transport.PluginTransport(server.core(), factory,
                new io.mcpserver.server.plugins.LoadedPlugin(plugin, home, getClass().getClassLoader(), null), config,
                server.security().edge());
        transport.start();
        try {
            BlockingQueue<String> out = new LinkedBlockingQueue<>();
            try (var c = context.get().open("pipe-peer-1", out::add)) {
                c.receive(init("ApiKey " + EXPIRED));
                JsonNode refused = Json.parse(out.poll(10, TimeUnit.SECONDS));
                assertEquals("invalid_api_key", refused.at("/error/data/reason").asText(), refused.toString());
                c.receive(init("ApiKey " + ADMIN));
                assertEquals("2025-11-25", Json.parse(out.poll(10, TimeUnit.SECONDS)).at("/result/protocolVersion").asText());
                c.receive(call(2, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"p\"}}"));
                assertEquals("root:p", Json.parse(out.poll(10, TimeUnit.SECONDS)).at("/result/content/0/text").asText());
            }
            for (String line : out) {
                assertFalse(line.contains(ADMIN) || line.contains(EXPIRED), "no key is echoed");
            }
        } finally {
            transport.close();
        }
    }

    /** A plugin with a checker for the scheme {@code Custom} and one for {@code Boom} that always throws. */
    public static final class CheckerPlugin implements McpPlugin {
        @Override
        public String name() {
            return "checkers";
        }

        @Override
        public List<CredentialChecker> credentialCheckers() {
            return List.of(new CredentialChecker() {
                @Override
                public String name() {
                    return "custom";
                }

                @Override
                public Set<String> schemes() {
                    return Set.of("custom");
                }

                @Override
                public CredentialCheck check(Credential credential) {
                    return credential.secret().equals("let-me-in")
                            ? CredentialCheck.accepted(Caller.builder("plugin-user").scopes(Set.of("tools:read")).build())
                            : CredentialCheck.refused("unknown_user", "not on the list");
                }
            }, new CredentialChecker() {
                @Override
                public String name() {
                    return "boom";
                }

                @Override
                public Set<String> schemes() {
                    return Set.of("Boom");
                }

                @Override
                public CredentialCheck check(Credential credential) {
                    throw new IllegalStateException("directory down");
                }
            });
        }
    }
}
