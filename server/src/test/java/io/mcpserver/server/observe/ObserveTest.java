package io.mcpserver.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.mcpserver.server.config.ConfigException;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static io.mcpserver.server.observe.ObservedServer.call;
import static io.mcpserver.server.observe.ObservedServer.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /health}, {@code /ready} and {@code /metrics} on a real HTTP listener, with real clients on two transports. */
class ObserveTest {

    @TempDir
    Path home;

    @Test
    void healthAndReadyAnswerOutsideTheMcpChecks() throws Exception {
        try (ObservedServer s = new ObservedServer(home, "")) {
            HttpResponse<String> health = s.get("/health");
            assertEquals(200, health.statusCode(), health.body());
            assertEquals("UP", Json.parse(health.body()).path("status").asText(), health.body());

            HttpResponse<String> ready = s.get("/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            JsonNode check = Json.parse(ready.body()).path("checks").get(0);
            assertEquals("ready", check.path("data").path("state").asText(), ready.body());
            assertTrue(check.path("data").path("endpoints").asText().contains("tcp="), ready.body());

            // a foreign browser origin is refused on /mcp (DNS rebinding), but not here: nothing here is MCP
            assertEquals(403, s.get("/mcp", "Origin", "http://evil.example", "Accept", "text/event-stream").statusCode());
            assertEquals(200, s.get("/health", "Origin", "http://evil.example").statusCode());
            assertEquals(200, s.get("/metrics", "Origin", "http://evil.example").statusCode());
        }
    }

    @Test
    void observeCanBeTurnedOff() throws Exception {
        try (ObservedServer s = new ObservedServer(home, """
                observe:
                  metrics: false
                  health-path: /live
                """)) {
            assertEquals(200, s.get("/live").statusCode());
            assertEquals(404, s.get("/health").statusCode());
            assertEquals(404, s.get("/metrics").statusCode());
        }
        try (ObservedServer s = new ObservedServer(home, """
                observe:
                  enabled: false
                """)) {
            assertEquals(404, s.get("/ready").statusCode());
            assertEquals(404, s.get("/metrics").statusCode());
            assertEquals(200, s.post(null, ObservedServer.INIT).statusCode(), "MCP is served as before");
        }
    }

    @Test
    void observePathsMayNotShadowMcpEndpointsOrEachOther() {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.from(Config.builder()
                .disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.of("observe.metrics-path", "/mcp", "observe.ready-path", "/health",
                        "observe.health-path", "nope"))).build(), home, null, "test"));
        String problems = String.join("\n", e.problems());
        assertTrue(problems.contains("observe.metrics-path: '/mcp' is already an MCP endpoint"), problems);
        assertTrue(problems.contains("observe.health-path: must start with '/'"), problems);
        assertEquals(2, e.problems().size(), problems);
    }

    @Test
    void metricsCountRequestsAndToolCallsPerTransportAndTool() throws Exception {
        try (ObservedServer s = new ObservedServer(home, "")) {
            String before = s.metrics();
            try (LineClient tcp = s.tcp()) {
                tcp.initialize(ObservedServer.INIT);
                assertEquals("hi", tcp.request(call(2, "echo", "{\"text\":\"hi\"}")).at("/result/content/0/text").asText());
                tcp.request(call(3, "echo", "{\"text\":\"again\"}"));
                assertTrue(tcp.request(call(4, "fail", "{}")).at("/result/isError").asBoolean());
                tcp.request(call(5, "no_such_tool_" + System.nanoTime(), "{}"));
                assertEquals(-32601, tcp.request("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"made/up\"}")
                        .at("/error/code").asInt());

                try (LineClient early = s.tcp()) { // before initialize: refused, still no label
                    assertEquals(-32600, early.request("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nonsense/x\"}")
                            .at("/error/code").asInt());
                }

                HttpResponse<String> init = s.post(null, ObservedServer.INIT);
                String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
                s.post(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
                assertEquals(200, s.post(session, call(2, "echo", "{\"text\":\"over http\"}")).statusCode());

                // and until the server has noticed that the early connection closed (it does so on its own thread)
                String after = s.metricsUntil(m -> delta(before, m, "mcp_tool_calls_total", "transport", "http",
                        "tool", "echo", "outcome", "ok") >= 1
                        && sample(m, "mcp_connections", Map.of("transport", "tcp")) == 1);
                assertEquals(2, delta(before, after, "mcp_tool_calls_total", "transport", "tcp", "tool", "echo",
                        "outcome", "ok"), after);
                assertEquals(1, delta(before, after, "mcp_tool_calls_total", "transport", "http", "tool", "echo",
                        "outcome", "ok"), after);
                assertEquals(1, delta(before, after, "mcp_tool_calls_total", "transport", "tcp", "tool", "fail",
                        "outcome", "tool_error"), after);
                // a name the client made up is no label of its own
                assertEquals(1, delta(before, after, "mcp_tool_calls_total", "transport", "tcp", "tool", "other",
                        "outcome", "error"), after);
                assertEquals(2, delta(before, after, "mcp_requests_total", "transport", "tcp", "method", "other",
                        "outcome", "error"), after);
                assertFalse(after.contains("nonsense") || after.contains("made/up"), after);
                assertEquals(3, delta(before, after, "mcp_requests_total", "transport", "tcp", "method", "tools/call",
                        "outcome", "ok"), after);
                assertEquals(1, delta(before, after, "mcp_requests_total", "transport", "http", "method", "initialize",
                        "outcome", "ok"), after);
                // the latency histogram: every tools/call on tcp is in the +Inf bucket, and has a count
                assertEquals(4, delta(before, after, "mcp_request_duration_seconds_count", "transport", "tcp",
                        "method", "tools/call"), after);
                assertEquals(4, delta(before, after, "mcp_request_duration_seconds_bucket", "transport", "tcp",
                        "method", "tools/call", "le", "+Inf"), after);
                // gauges: this TCP connection and its session, the HTTP session (no stream held open)
                assertEquals(1, sample(after, "mcp_connections", Map.of("transport", "tcp")), after);
                assertEquals(1, sample(after, "mcp_sessions", Map.of("transport", "tcp")), after);
                assertEquals(1, sample(after, "mcp_sessions", Map.of("transport", "http")), after);
                assertEquals(0, sample(after, "mcp_connections", Map.of("transport", "websocket")), after);
                assertTrue(after.contains("mcp_plugin_load_failures_total"), after);
            }
        }
    }

    @Test
    void rateLimitRefusalsAreCounted() throws Exception {
        try (ObservedServer s = new ObservedServer(home, """
                limits:
                  rate:
                    per-principal: 1
                    per-principal-burst: 2
                """)) {
            String before = s.metrics();
            int refused = 0;
            try (LineClient tcp = s.tcp()) {
                tcp.initialize(ObservedServer.INIT); // the first token
                // ten pings sent at once: whatever the machine's speed, some find the bucket empty
                for (int id = 2; id < 12; id++) {
                    tcp.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
                }
                for (int i = 0; i < 10; i++) {
                    JsonNode r = tcp.read();
                    if (r.has("error")) {
                        assertEquals(-32000, r.at("/error/code").asInt(), r.toString());
                        refused++;
                    }
                }
            }
            assertTrue(refused >= 1, "ten pings at 1/s with a burst of 2");
            int expected = refused;
            String after = s.metricsUntil(m -> delta(before, m, "mcp_requests_total", "transport", "tcp",
                    "method", "ping", "outcome", "error") >= expected);
            assertEquals(refused, delta(before, after, "mcp_rate_limited_total", "transport", "tcp"), after);
            assertEquals(refused, delta(before, after, "mcp_requests_total", "transport", "tcp", "method", "ping",
                    "outcome", "error"), after);
        }
    }

    private static double delta(String before, String after, String name, String... labels) {
        Map<String, String> wanted = new java.util.HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return sample(after, name, wanted) - sample(before, name, wanted);
    }
}
