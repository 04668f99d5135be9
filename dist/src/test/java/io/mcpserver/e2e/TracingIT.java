package io.mcpserver.e2e;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing as shipped: with {@code tracing.enabled} off (the default) the JVM loads no OpenTelemetry class at all;
 * on, the distribution's exporter (OTLP/HTTP over the JDK's client) sends the spans of a stdio session to an OTLP
 * endpoint. The spans' content and parent links are checked by the server's {@code TracingTest}.
 */
class TracingIT {

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
