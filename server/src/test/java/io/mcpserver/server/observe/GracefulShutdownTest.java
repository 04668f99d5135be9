package io.mcpserver.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mcpserver.server.observe.ObservedServer.HTTP;
import static io.mcpserver.server.observe.ObservedServer.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code McpServer.close()} (what SIGTERM runs) with real clients on every kind of connection: readiness goes
 * down first while the listeners still serve, new clients are refused, a running call finishes and is
 * answered, then every connection is ended politely (TCP close, WebSocket close frame, SSE stream end).
 */
class GracefulShutdownTest {

    @TempDir
    Path home;

    @Test
    void aRunningCallFinishesWhileReadyIsDownThenEveryConnectionEndsPolitely() throws Exception {
        ObservedServer s = new ObservedServer(home, """
                server:
                  shutdown-grace: 60s
                """);
        try (LineClient tcp = s.tcp()) {
            tcp.initialize(ObservedServer.INIT);
            WsClient ws = WsClient.connect(URI.create("ws://" + s.server.endpoints().get("http") + "/ws"), "mcp");
            String session = s.post(null, ObservedServer.INIT).headers().firstValue("Mcp-Session-Id").orElseThrow();
            CompletableFuture<HttpResponse<String>> getStream = HTTP.sendAsync(HttpRequest.newBuilder(s.http.resolve("/mcp"))
                    .header("Accept", "text/event-stream").header("Mcp-Session-Id", session)
                    .header("MCP-Protocol-Version", "2025-11-25").GET().build(), HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> legacyStream = HTTP.sendAsync(HttpRequest.newBuilder(
                    s.http.resolve("/sse")).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitGauge(s, "mcp_connections", "sse", 1);
            awaitGauge(s, "mcp_connections", "http", 1);
            awaitGauge(s, "mcp_connections", "websocket", 1);

            tcp.send(call(2, "block", "{\"tag\":\"drain\"}"));
            CompletableFuture<JsonNode> answer = CompletableFuture.supplyAsync(() -> read(tcp),
                    command -> Thread.ofVirtual().start(command)); // a blocking read: not on the (1-thread) common pool
            assertEquals("drain", s.blockStarted.poll(10, TimeUnit.SECONDS), "the call is running");
            Thread closer = Thread.ofVirtual().start(s::close);

            awaitStatus(s, "/ready", 503);
            assertFalse(answer.isDone(), "readiness must go down while the call still runs");
            assertEquals(200, s.get("/health").statusCode(), "alive while draining");
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", s.tcpPort).close(),
                    "the TCP listener takes no new clients");
            HttpResponse<String> refused = s.post(null, ObservedServer.INIT);
            assertEquals(503, refused.statusCode(), refused.body());

            assertFalse(answer.isDone(), "the call still runs: the server waits for it");
            s.release("drain");
            JsonNode result = answer.get(10, TimeUnit.SECONDS);
            assertEquals("released drain", result.at("/result/content/0/text").asText(), result.toString());
            assertTrue(s.blockInterrupted.isEmpty(), "the call was let finish, not interrupted");

            assertNull(read(tcp), "then the server closes the TCP connection");
            assertEquals(1001, ws.closed.get(10, TimeUnit.SECONDS).code(), "WebSocket close frame: going away");
            assertEquals(200, getStream.get(10, TimeUnit.SECONDS).statusCode(), "the GET stream ended properly");
            assertTrue(legacyStream.get(10, TimeUnit.SECONDS).body().startsWith("event: endpoint"),
                    "the legacy SSE stream ended properly");
            closer.join(30_000);
            assertFalse(closer.isAlive(), "stopped once the call was done, not at the end of the 60 s grace period");
            assertThrows(IOException.class, () -> s.get("/health"), "the HTTP listener is closed at the end");
        } finally {
            s.close();
        }
    }

    @Test
    void streamedAndStatelessHttpCallsAreWaitedForLikeEveryOther() throws Exception {
        ObservedServer s = new ObservedServer(home, """
                server:
                  shutdown-grace: 20s
                """);
        try {
            String session = s.post(null, ObservedServer.INIT).headers().firstValue("Mcp-Session-Id").orElseThrow();
            // a legacy session's call answered on its own SSE stream (its thread used to start outside admission)
            CompletableFuture<HttpResponse<String>> streamed = HTTP.sendAsync(HttpRequest.newBuilder(s.http.resolve("/mcp"))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25")
                    .POST(HttpRequest.BodyPublishers.ofString(call(2, "block", "{\"tag\":\"streamed\"}"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            // a stateless (2026-07-28) call: no session at all
            String stateless = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"block\","
                    + "\"arguments\":{\"tag\":\"stateless\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                    + "\"io.modelcontextprotocol/clientCapabilities\":{},"
                    + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}}";
            CompletableFuture<HttpResponse<String>> statelessReply = HTTP.sendAsync(HttpRequest.newBuilder(
                    s.http.resolve("/mcp")).header("Content-Type", "application/json").header("Accept", "application/json")
                    .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call")
                    .header("Mcp-Name", "block").POST(HttpRequest.BodyPublishers.ofString(stateless)).build(),
                    HttpResponse.BodyHandlers.ofString());
            java.util.Set<String> running = new java.util.TreeSet<>();
            running.add(s.blockStarted.poll(10, TimeUnit.SECONDS));
            running.add(s.blockStarted.poll(10, TimeUnit.SECONDS));
            assertEquals(java.util.Set.of("stateless", "streamed"), running, "both calls are running");
            Thread closer = Thread.ofVirtual().start(s::close);
            awaitStatus(s, "/ready", 503); // draining, and the calls are still held
            assertFalse(streamed.isDone() || statelessReply.isDone(), "the server waits for both calls");
            s.release("streamed");
            s.release("stateless");

            HttpResponse<String> a = streamed.get(10, TimeUnit.SECONDS);
            assertEquals(200, a.statusCode(), a.body());
            assertTrue(a.body().contains("released streamed"), a.body());
            HttpResponse<String> b = statelessReply.get(10, TimeUnit.SECONDS);
            assertEquals(200, b.statusCode(), b.body());
            assertEquals("released stateless", Json.parse(b.body()).at("/result/content/0/text").asText(), b.body());
            assertTrue(s.blockInterrupted.isEmpty(), "the calls were let finish, not interrupted");
            closer.join(30_000);
            assertFalse(closer.isAlive());
        } finally {
            s.close();
        }
    }

    @Test
    void callsStillRunningWhenTheGracePeriodEndsAreCancelled() throws Exception {
        ObservedServer s = new ObservedServer(home, """
                server:
                  shutdown-grace: 300ms
                """);
        try (LineClient tcp = s.tcp()) {
            tcp.initialize(ObservedServer.INIT);
            tcp.send(call(2, "block", "{\"tag\":\"late\"}"));
            assertEquals("late", s.blockStarted.poll(10, TimeUnit.SECONDS), "the call is running");
            Thread closer = Thread.ofVirtual().start(s::close);
            assertEquals("late", s.blockInterrupted.poll(10, TimeUnit.SECONDS),
                    "the server interrupted the call the grace period did not cover");
            closer.join(30_000);
            assertFalse(closer.isAlive(), "close() returned");
            // outside testing: the call used to get no answer at all; a client waits for one (issue 12, Low list)
            JsonNode answer = read(tcp);
            assertNotNull(answer, "the cancelled call is answered before the connection ends");
            assertEquals(2, answer.path("id").asInt(), answer.toString());
            assertEquals(-32603, answer.path("error").path("code").asInt(), answer.toString());
            assertEquals("cancelled", answer.path("error").path("data").path("reason").asText(), answer.toString());
            assertNull(read(tcp), "then the connection ends");
        }
    }

    private static JsonNode read(LineClient client) {
        try {
            return client.read();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitStatus(ObservedServer s, String path, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = s.get(path).statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(path + " answered " + last + ", not " + status);
    }

    private static void awaitGauge(ObservedServer s, String name, String transport, double value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String text = "";
        while (System.nanoTime() < deadline) {
            text = s.metrics();
            if (ObservedServer.sample(text, name, java.util.Map.of("transport", transport)) == value) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(name + "{transport=" + transport + "} never became " + value + ":\n" + text);
    }
}
