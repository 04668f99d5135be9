package io.mcpserver.e2e;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operations of the real process: {@code /metrics} after calls over two transports, then SIGTERM during a slow
 * tool call: {@code /ready} goes 503 while the listeners still serve, the call finishes and its client gets the
 * result, every connection ends politely (TCP close, WebSocket close frame 1001, SSE stream end), and the
 * process exits 0. A second SIGTERM ends a process that is still waiting at once.
 */
class ShutdownIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void sigtermLetsTheRunningCallFinishReadinessGoesDownFirstAndTheProcessExitsZero() throws Exception {
        try (ServerProcess server = ServerProcess.builder().name("shutdown").plugins("demo")
                .env("MCP_SERVER_SHUTDOWN__GRACE", "30s").start();
             Socket socket = new Socket(server.host("tcp"), server.tcpPort());
             JsonRpcPeer tcp = new JsonRpcPeer(socket.getInputStream(), socket.getOutputStream())) {
            assertEquals(200, get(server, "/ready").statusCode());

            // a few calls over two transports, then the counters are on /metrics with their labels
            tcp.initialize();
            for (int i = 0; i < 2; i++) {
                assertEquals("hi", tcp.request("tools/call", Map.of("name", "echo", "arguments", Map.of("text", "hi")))
                        .at("/result/content/0/text").asText());
            }
            WsClient ws = WsClient.open(URI.create("ws://" + server.host("http") + ":" + server.httpPort() + "/ws"));
            ws.request(1, "initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"ws\",\"version\":\"1\"}}");
            ws.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            JsonNode viaWs = ws.request(2, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"ws\"}}");
            assertEquals("ws", viaWs.at("/result/content/0/text").asText(), viaWs.toString());
            // a call is counted just after its response is sent: give the last one a moment to be counted
            String metrics = get(server, "/metrics").body();
            long counted = System.nanoTime() + TIMEOUT.toNanos();
            while (sample(metrics, "mcp_tool_calls_total", "transport", "websocket", "tool", "echo") < 1
                    && System.nanoTime() < counted) {
                Thread.sleep(20);
                metrics = get(server, "/metrics").body();
            }
            assertEquals(2, sample(metrics, "mcp_tool_calls_total", "transport", "tcp", "tool", "echo", "outcome", "ok"),
                    metrics);
            assertEquals(1, sample(metrics, "mcp_tool_calls_total", "transport", "websocket", "tool", "echo",
                    "outcome", "ok"), metrics);
            assertEquals(1, sample(metrics, "mcp_requests_total", "transport", "websocket", "method", "initialize",
                    "outcome", "ok"), metrics);
            assertEquals(1, sample(metrics, "mcp_sessions", "transport", "websocket"), metrics);
            assertTrue(sample(metrics, "mcp_request_duration_seconds_count", "transport", "tcp", "method", "tools/call")
                    >= 2, metrics);
            assertTrue(metrics.contains("jvm_"), "JVM meters are there too");

            // a legacy SSE stream stays open until the end
            CompletableFuture<HttpResponse<String>> sse = HTTP.sendAsync(HttpRequest.newBuilder(
                            server.httpUri("/sse")).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            // the slow call, then SIGTERM while it runs
            // long enough that readiness has gone down well before it ends, even on a loaded machine
            long id = tcp.nextId();
            tcp.send(JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":"
                    + "{\"name\":\"sleep\",\"arguments\":{\"ms\":8000,\"tag\":\"drained\"}}}"));
            awaitRunning(tcp, "drained");
            long signalled = System.nanoTime();
            sigterm(server);

            int ready = awaitNotReady(server);
            assertEquals(503, ready, "/ready while the call still runs");
            assertTrue(tcp.pending().stream().noneMatch(m -> m.path("id").asLong() == id),
                    "readiness went down before the call finished");
            assertEquals(200, get(server, "/health").statusCode(), "still alive while draining");
            assertThrows(ConnectException.class, () -> new Socket(server.host("tcp"), server.tcpPort()).close(),
                    "no new TCP clients");

            JsonNode answer = tcp.awaitResponse(id, TIMEOUT);
            assertEquals("Slept 8000 ms", answer.at("/result/content/0/text").asText(), answer.toString());
            assertTrue(elapsedMs(signalled) >= 1_000, "the call was let finish");

            assertEquals(1001, ws.closeCode.get(30, TimeUnit.SECONDS), "WebSocket close frame: going away");
            assertTrue(sse.get(30, TimeUnit.SECONDS).body().startsWith("event: endpoint"), "the SSE stream ended");
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), "the process exits");
            assertEquals(0, server.process().exitValue(), server.stderr());
            awaitClosed(tcp);
            String log = server.stderr();
            assertTrue(log.indexOf("Stopping MCP server") < log.indexOf("MCP server stopped"), log);
        }
    }

    @Test
    void aSecondSignalExitsAtOnce() throws Exception {
        try (ServerProcess server = ServerProcess.builder().name("shutdown-twice").plugins("demo").http(false)
                .env("MCP_SERVER_SHUTDOWN__GRACE", "60s").start();
             Socket socket = new Socket(server.host("tcp"), server.tcpPort());
             JsonRpcPeer tcp = new JsonRpcPeer(socket.getInputStream(), socket.getOutputStream())) {
            tcp.initialize();
            tcp.send(JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":"
                    + "{\"name\":\"sleep\",\"arguments\":{\"ms\":50000,\"tag\":\"twice\"}}}"));
            awaitRunning(tcp, "twice");
            sigterm(server);
            assertTrue(server.awaitStderr("Stopping MCP server", TIMEOUT), server.stderr());
            assertTrue(server.process().isAlive(), "waiting for the call (grace 60s)");
            sigterm(server);
            // at once: long before the 50 s call or the 60 s grace period would have ended
            assertTrue(server.process().waitFor(20, TimeUnit.SECONDS), "the second SIGTERM ends it");
            assertEquals(130, server.process().exitValue(), server.stderr());
        }
    }

    /** Waits until the demo plugin reports the tagged call running (demo://calls/{tag}): the event, not a guess. */
    private static void awaitRunning(JsonRpcPeer tcp, String tag) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String outcome = "";
        while (System.nanoTime() < deadline) {
            outcome = tcp.request("resources/read", java.util.Map.of("uri", "demo://calls/" + tag))
                    .at("/result/contents/0/text").asText("");
            if (outcome.equals("running")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(tag + " never ran: '" + outcome + "'");
    }

    /** SIGTERM, as a service manager sends it ({@code Process.destroy()} would also close our end of its stderr). */
    private static void sigterm(ServerProcess server) {
        assertTrue(server.process().toHandle().destroy(), "SIGTERM sent");
    }

    private static HttpResponse<String> get(ServerProcess server, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(server.httpUri(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int awaitNotReady(ServerProcess server) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int status = 200;
        while (status == 200 && System.nanoTime() < deadline) {
            status = get(server, "/ready").statusCode();
            Thread.sleep(20);
        }
        return status;
    }

    private static void awaitClosed(JsonRpcPeer peer) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!peer.isClosed() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(peer.isClosed(), "the server closed the TCP connection");
    }

    private static long elapsedMs(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    /** The sum of the Prometheus samples {@code name{…}} whose labels include the given ones. */
    private static double sample(String exposition, String name, String... labels) {
        double sum = 0;
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        while (m.find()) {
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= m.group(1).contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /** MCP over the JDK's WebSocket client: one JSON-RPC message per text frame; records the close code. */
    private static final class WsClient implements WebSocket.Listener {
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        private final java.util.concurrent.BlockingQueue<JsonNode> inbox = new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;

        static WsClient open(URI uri) {
            WsClient client = new WsClient();
            client.ws = HTTP.newWebSocketBuilder().subprotocols("mcp").buildAsync(uri, client).join();
            return client;
        }

        void send(String text) {
            ws.sendText(text, true).join();
        }

        JsonNode request(long id, String method, String params) throws Exception {
            send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode m = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && m.path("id").asLong(-1) == id) {
                    return m;
                }
            }
            throw new AssertionError("no answer to " + method + " over WebSocket");
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    inbox.add(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.completeExceptionally(error);
        }
    }
}
