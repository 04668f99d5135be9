package io.mcpserver.e2e;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.mcpserver.server.testing.OtlpReceiver;
import io.mcpserver.server.testing.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing as shipped: with {@code tracing.enabled} off (the default) the JVM loads no OpenTelemetry class at all;
 * on, the distribution's exporter (OTLP/HTTP over the JDK's client) sends the spans of a stdio session to an OTLP
 * endpoint; and over WebSocket a client's {@code traceparent} on the upgrade request is the parent of its requests'
 * spans, and a call run as a task has a span for its run under the span of the request that created it. Further
 * span content and parent links are checked by the server's {@code TracingTest}.
 */
class TracingIT {

    private static final String UPGRADE_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String META_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "b7ad6b7169203331";

    @Test
    void offLoadsNoTracingClassAndOnExportsOverOtlp() throws Exception {
        Path work = Files.createTempDirectory(TestEnv.workRoot(), "tracing-");
        Path offLog = work.resolve("classes-off.log");
        runSession("tracing-off", offLog, "");
        String off = Files.readString(offLog);
        assertTrue(off.contains("io.mcpserver.server.McpServer"), "the class log works: " + offLog);
        assertFalse(off.contains("io.opentelemetry"), "tracing off loads no OpenTelemetry class: " + offLog);
        assertFalse(off.contains("OtelTracing"), offLog.toString());

        AtomicInteger exports = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))
                    && body.length > 0) {
                exports.incrementAndGet();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            Path onLog = work.resolve("classes-on.log");
            runSession("tracing-on", onLog, """
                    tracing:
                      enabled: true
                      otlp:
                        endpoint: http://127.0.0.1:%d/v1/traces
                    """.formatted(receiver.getAddress().getPort()));
            assertTrue(Files.readString(onLog).contains("io.opentelemetry.sdk.trace.SdkTracerProvider"), onLog.toString());
            assertTrue(exports.get() >= 1, "the spans were exported when the server stopped");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void theWebSocketUpgradesTraceparentIsTheParentAndATasksRunIsAChildOfItsCreation() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            String taskId;
            try (ServerProcess server = ServerProcess.builder().name("tracing-ws").tcp(false)
                    .plugins("demo", "conformance").env("MCP_PLUGINS_CONFORMANCE_ENABLED", "true").config("""
                            tracing:
                              enabled: true
                              otlp:
                                endpoint: %s
                            """.formatted(receiver.endpoint())).start()) {
                URI ws = URI.create("ws://127.0.0.1:" + server.httpPort() + "/ws");
                try (RawWebSocket client = RawWebSocket.connect(ws, Map.of(
                        "traceparent", "00-" + UPGRADE_TRACE + "-" + PARENT + "-01", "tracestate", "vendor=1"))) {
                    client.initialize();
                    assertEquals("upgrade", client.call(2, "tools/call", """
                            {"name":"echo","arguments":{"text":"upgrade"}}""").at("/result/content/0/text").asText());
                    assertEquals("own", client.call(3, "tools/call", """
                            {"name":"echo","arguments":{"text":"own"},"_meta":{"traceparent":"00-%s-%s-01"}}"""
                            .formatted(META_TRACE, PARENT)).at("/result/content/0/text").asText());
                    JsonNode created = client.call(4, "tools/call", """
                            {"name":"slow_compute","arguments":{"seconds":0.2,"label":"traced"},"task":{}}""");
                    taskId = created.at("/result/task/taskId").asText();
                    assertFalse(taskId.isEmpty(), created.toString());
                    JsonNode result = client.call(5, "tasks/result", "{\"taskId\":\"" + taskId + "\"}");
                    assertTrue(result.at("/result/content/0/text").asText().startsWith("Computed traced"),
                            result.toString());
                }
                try (RawWebSocket client = RawWebSocket.connect(ws, Map.of("traceparent", "00-not-a-trace-01"))) {
                    client.initialize();
                    assertEquals("malformed", client.call(2, "tools/call", """
                            {"name":"echo","arguments":{"text":"malformed"}}""").at("/result/content/0/text").asText(),
                            "a malformed traceparent is no error");
                }
            } // stopping the server sends the spans still batched

            ReceivedSpan echo = receiver.await(s -> s.name().equals("tools/call echo") && UPGRADE_TRACE.equals(s.traceId()),
                    "of the call without _meta");
            assertEquals(PARENT, echo.parentSpanId(), "the upgrade's traceparent is the parent: " + echo);
            assertEquals("websocket", echo.attribute("network.protocol.name"));
            ReceivedSpan own = receiver.await(s -> META_TRACE.equals(s.traceId()), "of the call with _meta");
            assertEquals(PARENT, own.parentSpanId(), "the message's own traceparent wins: " + own);

            ReceivedSpan create = receiver.await(s -> s.name().equals("tools/call slow_compute"), "of the task's creation");
            assertEquals(UPGRADE_TRACE, create.traceId());
            ReceivedSpan run = receiver.await(s -> taskId.equals(s.attribute("mcp.task.id")), "of the task's run");
            assertEquals("execute_tool slow_compute", run.name());
            assertEquals(create.spanId(), run.parentSpanId(), "the run is a child of the request that created it");
            assertEquals(UPGRADE_TRACE, run.traceId());
            assertNull(run.attribute("error.type"), run.toString());

            ReceivedSpan malformed = receiver.await(s -> s.name().equals("tools/call echo")
                    && "2".equals(s.attribute("jsonrpc.request.id")) && !UPGRADE_TRACE.equals(s.traceId()),
                    "of the call on the connection with a malformed traceparent");
            assertEquals("", malformed.parentSpanId(), "a new trace: " + malformed);
            assertNull(malformed.attribute("error.type"));
        }
    }

    /** A WebSocket client that sets headers on its upgrade request (the TypeScript SDK's cannot). */
    private static final class RawWebSocket implements AutoCloseable {
        private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        private final WebSocket socket;

        private RawWebSocket(URI uri, Map<String, String> headers) {
            WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mcp");
            headers.forEach(builder::header);
            StringBuilder text = new StringBuilder();
            socket = builder.buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        try {
                            received.add(JsonRpcPeer.JSON.readTree(text.toString()));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        text.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }
            }).orTimeout(30, TimeUnit.SECONDS).join();
        }

        static RawWebSocket connect(URI uri, Map<String, String> headers) {
            return new RawWebSocket(uri, headers);
        }

        void initialize() throws InterruptedException {
            JsonNode init = call(1, "initialize", """
                    {"protocolVersion":"%s","capabilities":{},"clientInfo":{"name":"tracing-it","version":"1"}}"""
                    .formatted(JsonRpcPeer.PROTOCOL_VERSION));
            assertNotNull(init.get("result"), init.toString());
            socket.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", true).join();
        }

        /** Sends a request and returns the response with its id (messages in between are skipped). */
        JsonNode call(int id, String method, String params) throws InterruptedException {
            socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":"
                    + params + "}", true).join();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                JsonNode message = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (message == null) {
                    throw new AssertionError("no answer to " + method + " (id " + id + ") within 30 s");
                }
                if (message.path("id").asInt(-1) == id) {
                    return message;
                }
            }
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /** A stdio session (initialize, a tool call), the JVM logging every class it loads to {@code classLog}. */
    private static void runSession(String name, Path classLog, String config) throws Exception {
        ServerProcess.Builder builder = ServerProcess.builder().name(name).stdio().tcp(false).http(false)
                .plugins("demo")
                .env("MCP_CLASS_DATA", "off")
                .env("MCP_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog);
        if (!config.isEmpty()) {
            builder.config(config);
        }
        try (ServerProcess server = builder.start()) {
            JsonRpcPeer client = JsonRpcPeer.stdio(server);
            client.initialize();
            JsonNode echo = client.request("tools/call", Map.of("name", "echo", "arguments", Map.of("text", "traced?")));
            assertEquals("traced?", echo.path("result").path("content").path(0).path("text").asText(), echo.toString());
            client.close(); // end of stdin: the server stops and flushes what it buffered
            assertEquals(0, server.awaitExit(java.time.Duration.ofSeconds(60)).exitCode(), server.stderr());
        }
    }
}
