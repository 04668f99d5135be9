package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys end to end: {@code bin/mcp-server --new-api-key} prints keys whose printed configuration goes into a keys
 * file as printed (only the name, subject and scopes edited), {@code bin/mcp-server} starts with security on and
 * no JWT at all, and real clients use the keys: the official TypeScript SDK over Streamable HTTP and legacy SSE
 * (both header forms), the JDK's WebSocket client on the upgrade, and a raw socket over TCP. A key without the
 * scope is refused the tool; an expired, an unknown and a missing key are refused at connect, alike; no key
 * reaches the audit files or the log.
 */
class ApiKeyIT {

    private static final Pattern KEY = Pattern.compile("(?m)^api-key: (\\S+)$");
    private static final Pattern SNIPPET = Pattern.compile("(?ms)^  api-keys:\\n.*");
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"e2e\",\"version\":\"1\"}}}";

    private static final Map<String, String> keys = new LinkedHashMap<>();
    private static Path audit;
    private static ServerProcess server;
    private static JsonNode sdk;

    /** Runs {@code --new-api-key}; returns the key and the printed entry as a keys file naming it {@code name}. */
    private static String[] newKey(String name, String scopes, String expires) throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("new-api-key").args("--new-api-key")
                .run(Duration.ofMinutes(2));
        assertEquals(0, result.exitCode(), result.stderr());
        Matcher key = KEY.matcher(result.stdout());
        assertTrue(key.find(), result.stdout());
        Matcher snippet = SNIPPET.matcher(result.stdout());
        assertTrue(snippet.find(), result.stdout());
        String entry = snippet.group().replaceAll("(?m)^  ", "").replace("new-key", name).replace("scopes: []", "scopes: " + scopes);
        if (expires != null) {
            entry = entry.replace("# expires: 2027-12-31", "expires: " + expires);
        }
        return new String[] {key.group(1), entry};
    }

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(TestEnv.workRoot(), "api-keys-");
        String[] full = newKey("full", "[demo:echo]", null);
        String[] scopeless = newKey("scopeless", "[]", "2999-01-01T00:00:00Z");
        String[] expired = newKey("expired", "[demo:echo]", "2020-01-01");
        assertFalse(full[0].equals(scopeless[0]), "every key is new");
        keys.put("full", full[0]);
        keys.put("scopeless", scopeless[0]);
        keys.put("expired", expired[0]);
        keys.put("unknown", "mcp_" + "x".repeat(43));
        Path file = dir.resolve("api-keys.yaml");
        // the three printed entries, one after the other under one api-keys: map
        Files.writeString(file, full[1] + scopeless[1].replace("api-keys:\n", "") + expired[1].replace("api-keys:\n", ""));
        audit = dir.resolve("audit/audit.log");
        server = ServerProcess.builder().name("api-keys").plugins("demo").config("""
                security:
                  enabled: true
                  resource: https://mcp.e2e.test/mcp
                  api-keys-file: %s
                  rules:
                    tools:
                      - match: echo
                        scopes: [demo:echo]
                audit:
                  file: %s
                """.formatted(file, audit)).start();
        String base = "http://" + server.host("http") + ":" + server.httpPort();
        sdk = NodeScript.of("apikey-client.mjs").args(base).env("E2E_KEYS", JSON.writeValueAsString(keys))
                .timeout(Duration.ofMinutes(3)).run().assertSuccess().json();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode step(String name) {
        JsonNode step = sdk.path("steps").path(name);
        assertTrue(step.isObject(), "no step " + name + " in " + sdk);
        assertTrue(step.path("ok").asBoolean(), name + ": " + step);
        return step;
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable-x-api-key", "streamable-authorization", "sse-x-api-key", "sse-authorization"})
    void theSdkUsesAKeyAndItsScopesHold(String way) {
        JsonNode full = step(way + "-full");
        assertTrue(full.path("names").toString().contains("\"echo\""), full.toString());
        assertEquals("keyed", full.path("echo").path("text").asText(), full.toString());
        JsonNode scopeless = step(way + "-scopeless");
        assertFalse(scopeless.path("names").toString().contains("\"echo\""), scopeless.toString());
        assertEquals(way.startsWith("streamable") ? 403 : -32003, scopeless.path("echo").path("errorCode").asInt(),
                scopeless.toString());
        List<String> refusals = new ArrayList<>();
        for (String bad : List.of("expired", "unknown", "missing")) {
            JsonNode step = step(way + "-" + bad);
            assertFalse(step.path("connected").asBoolean(), way + " accepted " + bad + ": " + step);
            assertTrue(step.toString().contains("401"), way + " " + bad + ": " + step);
            if (!bad.equals("missing")) {
                refusals.add(step.path("message").asText());
            }
        }
        assertEquals(refusals.get(0), refusals.get(1), "an expired key is refused like one that does not exist");
    }

    @Test
    void theWebSocketUpgradeTakesAKey() throws Exception {
        URI ws = URI.create("ws://" + server.host("http") + ":" + server.httpPort() + "/ws");
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<String> answer = new CompletableFuture<>();
        WebSocket socket = client.newWebSocketBuilder().subprotocols("mcp").header("X-API-Key", keys.get("full"))
                .buildAsync(ws, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            answer.complete(text.toString());
                        }
                        w.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        socket.sendText(INIT, true).get(30, TimeUnit.SECONDS);
        assertEquals("2025-11-25", JSON.readTree(answer.get(30, TimeUnit.SECONDS)).at("/result/protocolVersion").asText());
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(30, TimeUnit.SECONDS);
        for (String bad : List.of("expired", "unknown")) {
            CompletionException e = assertThrows(CompletionException.class, () -> client.newWebSocketBuilder()
                    .header("Authorization", "ApiKey " + keys.get(bad)).buildAsync(ws, new WebSocket.Listener() {
                    }).orTimeout(30, TimeUnit.SECONDS).join());
            assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse().statusCode());
        }
    }

    @Test
    void tcpTakesAKeyInTheFirstMessage() throws Exception {
        List<JsonNode> full = tcpSession("ApiKey " + keys.get("full"));
        assertEquals("keyed", full.get(1).at("/result/content/0/text").asText(), full.toString());
        List<JsonNode> scopeless = tcpSession("ApiKey " + keys.get("scopeless"));
        assertEquals(-32003, scopeless.get(1).at("/error/code").asInt(), scopeless.toString());
        JsonNode expired = tcpSession("ApiKey " + keys.get("expired")).getFirst();
        JsonNode unknown = tcpSession("ApiKey " + keys.get("unknown")).getFirst();
        assertEquals(-32001, expired.at("/error/code").asInt(), expired.toString());
        assertEquals("invalid_api_key", expired.at("/error/data/reason").asText(), expired.toString());
        assertEquals(expired, unknown, "an expired key is refused like one that does not exist");
    }

    /** initialize with the credential in _meta, then echo; what the server answered (one error if refused). */
    private static List<JsonNode> tcpSession(String credential) throws Exception {
        ObjectNode init = (ObjectNode) JSON.readTree(INIT);
        ((ObjectNode) init.get("params")).putObject("_meta").put("io.mcpserver/authorization", credential);
        List<JsonNode> received = new ArrayList<>();
        try (Socket socket = new Socket(server.host("tcp"), server.tcpPort())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.write((JSON.writeValueAsString(init) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            received.add(JSON.readTree(in.readLine()));
            if (received.getFirst().has("error")) {
                return received;
            }
            out.write(("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                    + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"text\":\"keyed\"}}}\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            received.add(JSON.readTree(in.readLine()));
        }
        return received;
    }

    @Test
    void noKeyReachesTheAuditFilesOrTheLog() throws Exception {
        Path refusals = audit.resolveSibling("audit-refusals.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(Files.exists(refusals) && Files.readString(refusals).contains("invalid_api_key"))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        String text = Files.readString(refusals) + (Files.exists(audit) ? Files.readString(audit) : "");
        assertTrue(text.contains("invalid_api_key"), text);
        for (String key : keys.values()) {
            assertFalse(text.contains(key.substring(4)), "a key in the audit files");
            assertFalse(server.stderr().contains(key.substring(4)), "a key in the server log");
        }
    }
}
