package io.mcpserver.server.transport.ws;

import io.mcpserver.server.testing.WsClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.mcpserver.server.config.WebSocketSettings;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.transport.TransportFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static io.mcpserver.server.transport.TransportFixture.INITIALIZED;
import static io.mcpserver.server.transport.TransportFixture.callTool;
import static io.mcpserver.server.transport.TransportFixture.callToolWithProgress;
import static io.mcpserver.server.transport.TransportFixture.initialize;
import static io.mcpserver.server.transport.TransportFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MCP over WebSocket on a real Helidon listener, driven by the JDK's WebSocket client and by raw sockets. */
class WebSocketTransportTest {

    private static final long LIMIT = 64 * 1024;
    private static final String ALLOWED_ORIGIN = "http://allowed.example";

    private final TransportFixture fixture = new TransportFixture();
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private WebServer server;

    private void start(Duration pingInterval, Duration pongTimeout) {
        WebSocketSettings settings = new WebSocketSettings(true, List.of("/ws", "/"), LIMIT, pingInterval, pongTimeout);
        WebServerConfig.Builder builder = WebServer.builder().host("127.0.0.1").port(0);
        WebSocketRouting.register(builder, fixture.core, settings, TransportFixture.anonymous(),
                (origin, host) -> origin == null || origin.equals(ALLOWED_ORIGIN) ? null : "Origin " + origin + " is not allowed");
        server = builder.build().start();
    }

    private void start() {
        start(Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    private URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    private WsClient client(String path, String... subprotocols) {
        WsClient c = WsClient.connect(uri(path), subprotocols);
        closeLater.add(c);
        return c;
    }

    private WsClient initialized(String path) throws InterruptedException {
        WsClient c = client(path, "mcp");
        c.send(initialize(0));
        assertTrue(c.response(0).has("result"), () -> "initialize failed: " + c.texts());
        c.send(INITIALIZED);
        return c;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void oneMessagePerTextFrameWithTheMcpSubprotocolEchoed() throws Exception {
        start();
        WsClient c = client("/ws", "mcp");
        assertEquals("mcp", c.socket.getSubprotocol());
        c.send(initialize(1));
        assertEquals("2025-11-25", c.response(1).path("result").path("protocolVersion").asText());
        c.send(INITIALIZED);
        c.send(request(2, "tools/list", null));
        Set<String> names = new HashSet<>();
        c.response(2).path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
        assertEquals(Set.of("echo", "count", "block"), names);
        c.send(callToolWithProgress("p", "count", "{\"n\":3}", "tok"));
        assertEquals("counted to 3", c.response("p").path("result").path("content").get(0).path("text").asText());
        long progress = c.pending().stream().filter(m -> "notifications/progress".equals(m.path("method").asText())).count();
        assertEquals(3, progress, c.texts().toString());
        for (String text : c.texts()) {
            assertTrue(text.startsWith("{\"jsonrpc\":\"2.0\""), "one JSON-RPC message per frame: " + text);
        }
    }

    @Test
    void browsersOfferingNoSubprotocolAreServedAtTheRoot() throws Exception {
        start();
        WsClient c = client("/");
        assertEquals("", c.socket.getSubprotocol());
        c.send(initialize(1));
        assertTrue(c.response(1).has("result"));
    }

    @Test
    void mcpIsChosenAmongSeveralOfferedSubprotocols() {
        start();
        assertEquals("mcp", client("/ws", "graphql-ws", "mcp").socket.getSubprotocol());
        assertEquals("", client("/ws", "something-else").socket.getSubprotocol());
    }

    @Test
    void clientsNamingTheSubprotocolMcpV1AreServedToo() throws Exception {
        start();
        WsClient c = client("/ws", "mcp-v1"); // a client that offers only mcp-v1 fails unless it is echoed
        assertEquals("mcp-v1", c.socket.getSubprotocol());
        c.send(initialize(1));
        assertTrue(c.response(1).has("result"));
        assertEquals("mcp-v1", client("/ws", "mcp-v1", "mcp").socket.getSubprotocol(), "the client's first choice");
        assertEquals("mcp", client("/", "chat", "mcp", "mcp-v1").socket.getSubprotocol());
    }

    @Test
    void fragmentedMessageIsReassembled() throws Exception {
        start();
        WsClient c = initialized("/ws");
        String message = callTool(3, "echo", "{\"text\":\"" + "ab".repeat(5000) + "\"}");
        int third = message.length() / 3;
        c.socket.sendText(message.substring(0, third), false).join();
        c.socket.sendText(message.substring(third, 2 * third), false).join();
        c.socket.sendText(message.substring(2 * third), true).join();
        assertEquals("ab".repeat(5000), c.response(3).path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void nonJsonFrameIsAParseErrorAndTheConnectionStaysOpen() throws Exception {
        start();
        WsClient c = initialized("/ws");
        c.send("not json at all");
        JsonNode error = c.await(m -> m.has("error"), "parse error");
        assertEquals(-32700, error.path("error").path("code").asInt());
        c.send(callTool(4, "echo", "{\"text\":\"fine\"}"));
        assertEquals("fine", c.response(4).path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void binaryFrameIsClosedWith1003AndAReason() throws Exception {
        start();
        WsClient other = initialized("/ws");
        WsClient c = initialized("/ws");
        c.socket.sendBinary(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\"}".getBytes(StandardCharsets.UTF_8)), true).join();
        WsClient.Closed closed = c.awaitClose();
        assertEquals(1003, closed.code());
        assertTrue(closed.reason().contains("Binary frames are not supported"), closed.reason());
        awaitSessions(1);
        other.send(callTool(5, "echo", "{\"text\":\"unaffected\"}"));
        assertEquals("unaffected", other.response(5).path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void oversizedFrameIsClosedWith1009() throws Exception {
        start();
        WsClient c = initialized("/ws");
        c.socket.sendText(callTool(6, "echo", "{\"text\":\"" + "x".repeat((int) LIMIT * 2) + "\"}"), true);
        WsClient.Closed closed = c.awaitClose();
        assertEquals(1009, closed.code(), closed.toString());
        assertTrue(!closed.reason().isBlank(), "a reason is given");
        awaitSessions(0);
    }

    @Test
    void oversizedFragmentedMessageIsClosedWith1009() throws Exception {
        start();
        WsClient c = initialized("/ws");
        String part = "y".repeat((int) LIMIT / 4);
        for (int i = 0; i < 6 && !c.closed.isDone(); i++) {
            try {
                c.socket.sendText(part, false).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                break; // the server closed while we were still sending
            }
        }
        WsClient.Closed closed = c.awaitClose();
        assertEquals(1009, closed.code(), closed.toString());
        assertTrue(closed.reason().contains("limit is " + LIMIT), closed.reason());
        awaitSessions(0);
    }

    @Test
    void clientVanishingMidCallIsCancelledAndOthersAreUnaffected() throws Exception {
        start();
        WsClient other = initialized("/ws");
        WsClient leaving = initialized("/");
        leaving.send(callTool(7, "block", "{\"tag\":\"ws-vanish\"}"));
        assertEquals("ws-vanish", fixture.blockStarted.poll(10, TimeUnit.SECONDS));
        leaving.socket.abort(); // no close frame: the TCP connection just ends
        assertEquals("ws-vanish", fixture.blockCancelled.poll(10, TimeUnit.SECONDS));
        awaitSessions(1);
        other.send(callTool(8, "echo", "{\"text\":\"still fine\"}"));
        assertEquals("still fine", other.response(8).path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void clientClosingNormallyCancelsItsRunningCalls() throws Exception {
        start();
        WsClient c = initialized("/ws");
        c.send(callTool(9, "block", "{\"tag\":\"ws-close\"}"));
        assertEquals("ws-close", fixture.blockStarted.poll(10, TimeUnit.SECONDS));
        c.socket.sendClose(1000, "done").join();
        assertEquals("ws-close", fixture.blockCancelled.poll(10, TimeUnit.SECONDS));
        assertEquals(1000, c.awaitClose().code());
        awaitSessions(0);
    }

    @Test
    void livePeersAnswerPingsAndStayConnected() throws Exception {
        start(Duration.ofMillis(50), Duration.ofSeconds(1)); // a pong-timeout a loaded machine still meets
        WsClient c = initialized("/ws");
        // the server pings, waits a pong-timeout, checks it heard back, and only then pings again: a third ping
        // means two pongs (sent by the JDK client by itself) were heard in time
        assertTrue(c.pings.tryAcquire(3, 15, TimeUnit.SECONDS), "three pings from the server");
        assertFalse(c.closed.isDone(), "still connected: " + c.closed.getNow(null));
        c.send(callTool(10, "echo", "{\"text\":\"alive\"}"));
        assertEquals("alive", c.response(10).path("result").path("content").get(0).path("text").asText());
        c.socket.sendPing(ByteBuffer.wrap(new byte[]{1, 2, 3})).join();
        assertEquals(ByteBuffer.wrap(new byte[]{1, 2, 3}), c.pong.get(5, TimeUnit.SECONDS));
    }

    /**
     * An idle connection costs its connection's thread and nothing beside it: pings, pong deadlines and noticing a
     * vanished client run on the listener's one watch timer (a watcher thread per connection was ~2.3 KB of heap
     * each at 10,000 connections). Still, a client that vanishes without a close frame has its session ended.
     */
    @Test
    void idleConnectionsHoldNoThreadBesideTheirOwn() throws Exception {
        start();
        for (int i = 0; i < 5; i++) {
            initialized("/ws");
        }
        awaitSessions(5);
        Path dump = Files.createTempFile("threads", ".txt");
        try {
            Files.delete(dump); // dumpThreads refuses to overwrite
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            List<String> threads = List.of(Files.readString(dump).split("\\R\\R"));
            long connections = threads.stream().filter(t -> t.contains("WsConnection.handle")).count();
            List<String> beside = threads.stream().filter(t -> t.lines().findFirst().orElse("").contains(" virtual")
                    && t.contains("io.mcpserver.server.transport.ws") && !t.contains("WsConnection.handle")).toList();
            assertEquals(5, connections, "one thread per connection");
            assertEquals(List.of(), beside, "no thread of ours waits beside the connections");
        } finally {
            Files.deleteIfExists(dump);
        }
        try (Socket raw = new Socket("127.0.0.1", server.port())) { // vanishes without a close frame
            OutputStream out = raw.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(readHead(raw.getInputStream()).startsWith("HTTP/1.1 101"));
            awaitSessions(6);
        }
        awaitSessions(5);
    }

    @Test
    void silentPeerIsClosedAfterThePongTimeout() throws Exception {
        start(Duration.ofMillis(200), Duration.ofMillis(300));
        try (Socket raw = new Socket("127.0.0.1", server.port())) {
            OutputStream out = raw.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = raw.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            awaitSessions(1);
            // never answer: the server pings, waits, sends a close frame (1001) and drops the connection
            raw.setSoTimeout(10_000);
            byte[] rest = in.readAllBytes();
            assertTrue(rest.length > 0, "a ping and a close frame");
            assertTrue(containsCloseFrame(rest, 1001), "a close frame with 1001");
        }
        awaitSessions(0);
    }

    @Test
    void upgradeFromAForeignOriginIsForbidden() {
        start();
        CompletionException e = assertThrows(CompletionException.class,
                () -> WsClient.connectFrom("http://evil.example", uri("/ws")));
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(403, handshake.getResponse().statusCode());
        closeLater.add(WsClient.connectFrom(ALLOWED_ORIGIN, uri("/ws")));
    }

    @Test
    void eachConnectionIsItsOwnSession() throws Exception {
        start();
        initialized("/ws");
        initialized("/");
        awaitSessions(2);
        Set<String> ids = new HashSet<>();
        fixture.core.sessions().all().forEach(s -> ids.add(s.clientId()));
        assertEquals(2, ids.size());
        assertTrue(ids.stream().allMatch(id -> id.startsWith("websocket-")), ids.toString());
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Whether the server's frames contain a close frame (opcode 8) with this status code. */
    private static boolean containsCloseFrame(byte[] frames, int code) {
        int i = 0;
        while (i + 2 <= frames.length) {
            int opcode = frames[i] & 0x0F;
            int length = frames[i + 1] & 0x7F;
            int start = i + 2;
            if (length == 126) {
                length = ((frames[i + 2] & 0xFF) << 8) | (frames[i + 3] & 0xFF);
                start = i + 4;
            }
            if (opcode == 8 && length >= 2 && start + 2 <= frames.length) {
                return (((frames[start] & 0xFF) << 8) | (frames[start + 1] & 0xFF)) == code;
            }
            i = start + length;
        }
        return false;
    }

    private void awaitSessions(int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (fixture.core.sessions().countByTransport("websocket") != count) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("expected " + count + " websocket sessions, have "
                        + fixture.core.sessions().all().stream().map(Session::toString).toList());
            }
            Thread.sleep(10);
        }
    }
}
