package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protocol revision 2026-07-28 (no handshake, {@code _meta} on every request) against {@code bin/mcp-server}
 * over stdio, TCP, WebSocket and Streamable HTTP, with raw JSON (the TypeScript SDK does not speak it yet),
 * while legacy clients use the same process. Tools are registered at runtime by dropping a plugin JAR
 * into the watched plugins folder.
 */
class StatelessEraIT {

    private static final String V = "2026-07-28";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static ServerProcess server;
    private static JsonRpcPeer stdio;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.builder().name("stateless-era").stdio()
                .args("--tcp-port", "0", "--http-port", "0")
                .plugins("demo")
                .env("MCP_PLUGINS_WATCH", "true")
                .env("MCP_PLUGINS_WATCH__DEBOUNCE", "200ms")
                .env("MCP_TRANSPORTS_HTTP_SSE__KEEP__ALIVE", "500ms")
                .start();
        stdio = JsonRpcPeer.stdio(server);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    // ---- the same checks over every transport ------------------------------------------------------

    @Test
    void stdio() throws Exception {
        speaksStateless(new PeerChannel("stdio", stdio));
    }

    @Test
    void tcp() throws Exception {
        try (Socket socket = new Socket(server.host("tcp"), server.tcpPort())) {
            speaksStateless(new PeerChannel("tcp", new JsonRpcPeer(socket.getInputStream(), socket.getOutputStream())));
        }
    }

    @Test
    void webSocket() throws Exception {
        try (WsPeer ws = WsPeer.connect(wsUri())) {
            speaksStateless(new PeerChannel("websocket", ws.peer));
        }
    }

    @Test
    void streamableHttp() throws Exception {
        HttpChannel http = new HttpChannel(server.httpUri("/mcp"));
        speaksStateless(http);

        // HTTP alone mirrors the body in headers: a disagreement is HeaderMismatch with 400
        ObjectNode call = request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}", "{}");
        Map<String, String> headers = HttpChannel.headers(call);
        headers.put("Mcp-Name", "fail");
        HttpResponse<String> mismatch = http.post(call, headers);
        assertEquals(400, mismatch.statusCode(), mismatch.body());
        assertEquals(-32020, JSON.readTree(mismatch.body()).at("/error/code").asInt());
        headers.remove("Mcp-Name");
        assertEquals(400, http.post(call, headers).statusCode());
        // ...and GET/DELETE have no place in it
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.httpUri("/mcp"))
                .header("MCP-Protocol-Version", V).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
    }

    private static void speaksStateless(Channel c) throws Exception {
        String where = c.name() + ": ";
        JsonNode discover = c.call(request("server/discover", null, "{}"));
        assertEquals(V, discover.at("/result/supportedVersions/0").asText(), where + discover);
        assertEquals("complete", discover.at("/result/resultType").asText(), where + discover);
        assertEquals("mcp-server", discover.at("/result/_meta/io.modelcontextprotocol~1serverInfo/name").asText(),
                where + discover);

        JsonNode echo = c.call(request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"no handshake\"}}",
                "{}"));
        assertEquals("no handshake", echo.at("/result/content/0/text").asText(), where + echo);
        JsonNode list = c.call(request("tools/list", null, "{}"));
        assertTrue(list.at("/result/ttlMs").isIntegralNumber(), where + list);
        assertEquals("private", list.at("/result/cacheScope").asText(), where + list);

        ObjectNode old = request("tools/list", null, "{}");
        ((ObjectNode) old.at("/params/_meta")).put("io.modelcontextprotocol/protocolVersion", "1900-01-01");
        JsonNode mismatch = c.call(old);
        assertEquals(-32022, mismatch.at("/error/code").asInt(), where + mismatch);
        assertEquals("1900-01-01", mismatch.at("/error/data/requested").asText(), where + mismatch);
        assertTrue(mismatch.at("/error/data/supported").toString().contains(V), where + mismatch);

        // multi round-trip: the demo's ask_user elicits; the retry carries the answer and the sealed state
        String caps = "{\"elicitation\":{\"form\":{}}}";
        String askUser = "{\"name\":\"ask_user\",\"arguments\":{\"message\":\"Who are you?\"}}";
        JsonNode first = c.call(request("tools/call", askUser, caps));
        assertEquals("input_required", first.at("/result/resultType").asText(), where + first);
        assertEquals("elicitation/create", first.at("/result/inputRequests/input-0/method").asText(), where + first);
        assertEquals("Who are you?", first.at("/result/inputRequests/input-0/params/message").asText(), where + first);
        String state = first.at("/result/requestState").asText();
        String answer = "{\"input-0\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\",\"colour\":\"green\"}}}";

        String forgedState = state.charAt(0) == 'e' ? "f" + state.substring(1) : "e" + state.substring(1);
        JsonNode forged = c.call(retry(askUser, caps, forgedState, answer));
        assertEquals(-32602, forged.at("/error/code").asInt(), where + forged);
        assertTrue(forged.at("/error/message").asText().contains("requestState"), where + forged);

        JsonNode done = c.call(retry(askUser, caps, state, answer));
        assertEquals("complete", done.at("/result/resultType").asText(), where + done);
        assertEquals("The user answered: name = Ada, colour = green", done.at("/result/content/0/text").asText(),
                where + done);
    }

    // ---- runtime changes reach stateless listeners on every transport and legacy sessions alike -------

    @Test
    void listenersOnEveryTransportAndLegacySessionsSeeARuntimeRegistration() throws Exception {
        try (Socket statelessSocket = new Socket(server.host("tcp"), server.tcpPort());
             Socket legacySocket = new Socket(server.host("tcp"), server.tcpPort());
             WsPeer ws = WsPeer.connect(wsUri())) {
            JsonRpcPeer tcp = new JsonRpcPeer(statelessSocket.getInputStream(), statelessSocket.getOutputStream());
            JsonRpcPeer legacy = new JsonRpcPeer(legacySocket.getInputStream(), legacySocket.getOutputStream());
            assertEquals("2025-11-25", legacy.initialize().path("protocolVersion").asText());
            HttpChannel http = new HttpChannel(server.httpUri("/mcp"));

            Map<String, Listening> listens = new LinkedHashMap<>();
            listens.put("stdio", Listening.open(stdio));
            listens.put("tcp", Listening.open(tcp));
            listens.put("websocket", Listening.open(ws.peer));
            listens.put("http", http.listen(request("subscriptions/listen",
                    "{\"notifications\":{\"toolsListChanged\":true}}", "{}")));
            for (var l : listens.entrySet()) {
                JsonNode ack = l.getValue().next("notifications/subscriptions/acknowledged");
                assertEquals(l.getValue().id(), ack.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asLong(),
                        l.getKey() + ": " + ack);
                assertTrue(ack.at("/params/notifications/toolsListChanged").asBoolean(), l.getKey() + ": " + ack);
            }

            // while they listen, a legacy client and a stateless one work side by side
            assertEquals("legacy", legacy.request("tools/call", Map.of("name", "echo",
                    "arguments", Map.of("text", "legacy"))).at("/result/content/0/text").asText());
            assertEquals("stateless", new PeerChannel("tcp", tcp).call(request("tools/call",
                    "{\"name\":\"echo\",\"arguments\":{\"text\":\"stateless\"}}", "{}")).at("/result/content/0/text").asText());

            Path plugins = server.workDir().resolve("plugins");
            Files.copy(TestEnv.bundledPlugin("time"), plugins.resolve(".time.jar.tmp"));
            Files.move(plugins.resolve(".time.jar.tmp"), plugins.resolve("time.jar"), StandardCopyOption.ATOMIC_MOVE);

            for (var l : listens.entrySet()) {
                JsonNode changed = l.getValue().next("notifications/tools/list_changed");
                assertEquals(l.getValue().id(),
                        changed.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asLong(),
                        l.getKey() + ": " + changed);
            }
            JsonNode legacyChanged = legacy.await(m -> "notifications/tools/list_changed".equals(m.path("method").asText()),
                    TIMEOUT, "tools/list_changed on the legacy session");
            assertFalse(legacyChanged.path("params").has("_meta"), legacyChanged.toString());

            JsonNode now = http.call(request("tools/call", "{\"name\":\"current_time\",\"arguments\":"
                    + "{\"timezone\":\"UTC\"}}", "{}"));
            assertEquals("complete", now.at("/result/resultType").asText(), now.toString());
            assertFalse(now.at("/result/isError").asBoolean(), now.toString());
            assertTrue(legacy.request("tools/list", Map.of()).toString().contains("current_time"));

            // cancelling ends a subscription without a response; closing the HTTP stream does the same
            listens.get("tcp").cancel();
            listens.get("http").cancel();
            Files.delete(plugins.resolve("time.jar"));
            assertEquals("notifications/tools/list_changed", listens.get("websocket")
                    .next("notifications/tools/list_changed").path("method").asText());
            Thread.sleep(300);
            assertTrue(tcp.pending().stream().noneMatch(m -> m.path("id").asLong() == listens.get("tcp").id()
                    || "notifications/tools/list_changed".equals(m.path("method").asText())), tcp.pending().toString());
            listens.get("stdio").cancel();
            listens.get("websocket").cancel();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static final AtomicLong IDS = new AtomicLong(1000);

    private static URI wsUri() {
        return URI.create("ws://" + server.host("http") + ":" + server.httpPort() + "/ws");
    }

    static ObjectNode request(String method, String params, String capabilities) throws IOException {
        ObjectNode p = (ObjectNode) JSON.readTree(params == null ? "{}" : params);
        ObjectNode meta = p.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", V);
        meta.set("io.modelcontextprotocol/clientCapabilities", JSON.readTree(capabilities));
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "stateless-e2e").put("version", "1");
        ObjectNode m = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", IDS.getAndIncrement()).put("method", method);
        m.set("params", p);
        return m;
    }

    private static ObjectNode retry(String params, String caps, String state, String responses) throws IOException {
        ObjectNode m = request("tools/call", params, caps);
        ((ObjectNode) m.get("params")).put("requestState", state);
        ((ObjectNode) m.get("params")).set("inputResponses", JSON.readTree(responses));
        return m;
    }

    interface Channel {
        String name();

        JsonNode call(ObjectNode request) throws Exception;
    }

    /** A connection transport: requests and responses on one stream, matched by id. */
    record PeerChannel(String name, JsonRpcPeer peer) implements Channel {
        @Override
        public JsonNode call(ObjectNode request) throws Exception {
            peer.send(request);
            return peer.awaitResponse(request.get("id").asLong(), TIMEOUT);
        }
    }

    /** An open subscriptions/listen request. */
    interface Listening {
        long id();

        JsonNode next(String method) throws Exception;

        void cancel() throws Exception;

        static Listening open(JsonRpcPeer peer) throws IOException {
            ObjectNode listen = request("subscriptions/listen", "{\"notifications\":{\"toolsListChanged\":true}}", "{}");
            long id = listen.get("id").asLong();
            peer.send(listen);
            return new Listening() {
                public long id() {
                    return id;
                }

                public JsonNode next(String method) throws Exception {
                    return peer.await(m -> method.equals(m.path("method").asText())
                            && m.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asLong() == id,
                            TIMEOUT, method + " for subscription " + id);
                }

                public void cancel() {
                    peer.notify("notifications/cancelled", Map.of("requestId", id));
                }
            };
        }
    }

    /** Streamable HTTP as 2026-07-28 has it: one POST per request, headers mirroring the body. */
    static final class HttpChannel implements Channel {
        private final URI uri;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        HttpChannel(URI uri) {
            this.uri = uri;
        }

        @Override
        public String name() {
            return "http";
        }

        static Map<String, String> headers(JsonNode message) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("MCP-Protocol-Version", message.at("/params/_meta/io.modelcontextprotocol~1protocolVersion").asText(V));
            h.put("Mcp-Method", message.path("method").asText());
            JsonNode params = message.path("params");
            if (params.has("name")) {
                h.put("Mcp-Name", params.path("name").asText());
            } else if (params.has("uri")) {
                h.put("Mcp-Name", params.path("uri").asText());
            }
            return h;
        }

        private HttpRequest build(JsonNode message, Map<String, String> headers) throws IOException {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(message)));
            headers.forEach(b::header);
            return b.build();
        }

        HttpResponse<String> post(JsonNode message, Map<String, String> headers) throws Exception {
            return http.send(build(message, headers), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public JsonNode call(ObjectNode request) throws Exception {
            HttpResponse<String> r = post(request, headers(request));
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
                List<JsonNode> events = new ArrayList<>();
                for (String line : r.body().split("\n")) {
                    if (line.startsWith("data: ")) {
                        events.add(JSON.readTree(line.substring(6)));
                    }
                }
                return events.getLast();
            }
            return JSON.readTree(r.body());
        }

        /** Opens a subscription: its response is an SSE stream read on a thread of its own. */
        Listening listen(ObjectNode request) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)));
            headers(request).forEach(b::header);
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
            assertEquals("no", r.headers().firstValue("X-Accel-Buffering").orElse(""));
            PipedOutputStream lines = new PipedOutputStream();
            JsonRpcPeer events = new JsonRpcPeer(new PipedInputStream(lines, 1 << 16), OutputStream.nullOutputStream());
            Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
                     lines) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("data: ")) {
                            lines.write((line.substring(6) + "\n").getBytes(StandardCharsets.UTF_8));
                            lines.flush();
                        }
                    }
                } catch (IOException e) {
                    // closed by cancel()
                }
            });
            long id = request.get("id").asLong();
            return new Listening() {
                public long id() {
                    return id;
                }

                public JsonNode next(String method) throws Exception {
                    return events.await(m -> method.equals(m.path("method").asText()), TIMEOUT, method + " on HTTP");
                }

                public void cancel() throws IOException {
                    r.body().close(); // closing the response stream cancels the subscription
                }
            };
        }
    }

    /** A WebSocket (subprotocol mcp) seen as a line-oriented {@link JsonRpcPeer}: one JSON message per text frame. */
    static final class WsPeer implements AutoCloseable {
        final JsonRpcPeer peer;
        private final WebSocket socket;

        private WsPeer(WebSocket socket, JsonRpcPeer peer) {
            this.socket = socket;
            this.peer = peer;
        }

        static WsPeer connect(URI uri) throws Exception {
            PipedOutputStream incoming = new PipedOutputStream();
            PipedInputStream in = new PipedInputStream(incoming, 1 << 20);
            StringBuilder partial = new StringBuilder();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mcp")
                    .buildAsync(uri, new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                try {
                                    incoming.write((partial.toString().replace("\n", " ") + "\n")
                                            .getBytes(StandardCharsets.UTF_8));
                                    incoming.flush();
                                } catch (IOException e) {
                                    // the test is over
                                }
                                partial.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                            try {
                                incoming.close();
                            } catch (IOException e) {
                                // already closed
                            }
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            assertEquals("mcp", socket.getSubprotocol());
            OutputStream out = new OutputStream() {
                private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

                @Override
                public synchronized void write(int b) {
                    if (b == '\n') {
                        CompletableFuture<WebSocket> sent = socket.sendText(line.toString(StandardCharsets.UTF_8), true);
                        sent.join();
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            };
            return new WsPeer(socket, new JsonRpcPeer(in, out));
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null)
                    .join();
        }
    }
}
