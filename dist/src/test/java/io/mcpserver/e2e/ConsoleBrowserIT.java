package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Headless Debian chromium opens {@code /console} of {@code bin/mcp-server} while official-SDK clients are connected
 * over Streamable HTTP and WebSocket and a raw client over TCP: the page lists each of them with its transport and
 * client name, its charts are drawn, the failed call is among the recent errors, nothing was loaded from elsewhere;
 * a screenshot is kept as {@code target/console-screenshot*.png}.
 */
class ConsoleBrowserIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theConsoleShowsTheConnectedClients() throws Exception {
        Path screenshot = Path.of("target", "console-screenshot.png").toAbsolutePath();
        try (ServerProcess server = ServerProcess.builder().name("console-browser").start()) {
            JsonNode page = open(server, screenshot, null);
            assertShowsTheClients(page);
        }
    }

    @Test
    void withSecurityOnTheConsoleOpensWithAnAdminTokenInItsUrl() throws Exception {
        TestJwt issuer = new TestJwt();
        Path dir = Files.createTempDirectory(TestEnv.workRoot(), "console-keys-");
        Path jwks = issuer.writeJwks(dir.resolve("jwks.json"));
        Path screenshot = Path.of("target", "console-screenshot-secured.png").toAbsolutePath();
        try (ServerProcess server = ServerProcess.builder().name("console-browser-secured").config("""
                security:
                  enabled: true
                  resource: %s
                  jwt:
                    jwks-file: %s
                    issuer: %s
                audit:
                  file: %s
                """.formatted(TestJwt.AUDIENCE, jwks, TestJwt.ISSUER, dir.resolve("audit.log"))).start()) {
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(server.httpUri("/console")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode(), "no token, no console");
            String user = issuer.token("someone", null);
            assertEquals(403, HTTP.send(HttpRequest.newBuilder(server.httpUri("/console?access_token=" + user)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "a token without the admin scope");

            JsonNode page = open(server, screenshot, issuer.token("operator", "mcp:admin"));
            assertShowsTheClients(page);
            assertFalse(page.path("address").asText().contains("access_token"),
                    "the page took its token out of the address bar: " + page.path("address"));
            assertTrue(page.path("rows").toString().contains("operator"), "listed by principal: " + page.path("rows"));
        }
    }

    private static JsonNode open(ServerProcess server, Path screenshot, String token) throws Exception {
        Path chromium = TestEnv.chromium().orElseThrow(() -> new AssertionError(
                "no chromium: setup-test-env.sh installs Debian's chromium (apt-get install chromium)"));
        Files.deleteIfExists(screenshot);
        String base = "http://" + server.host("http") + ":" + server.httpPort();
        List<String> args = new ArrayList<>(List.of(base, String.valueOf(server.tcpPort()), screenshot.toString()));
        if (token != null) {
            args.add(token);
        }
        NodeScript.Result run = NodeScript.of("console-browser.mjs").args(args.toArray(String[]::new))
                .env("E2E_CHROMIUM", chromium.toString())
                .timeout(Duration.ofMinutes(3))
                .run();
        JsonNode summary = run.json();
        step(summary, "clients", run, server);
        JsonNode page = step(summary, "console", run, server);
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot was saved at " + screenshot);
        return page;
    }

    private static void assertShowsTheClients(JsonNode page) {
        assertEquals(200, page.path("status").asInt(), page.toString());
        List<String> rows = new ArrayList<>();
        page.path("rows").forEach(r -> rows.add(r.toString()));
        assertTrue(has(rows, "console-http-client", "http"), rows.toString());
        assertTrue(has(rows, "console-ws-client", "websocket"), rows.toString());
        assertTrue(has(rows, "console-tcp-client", "tcp"), rows.toString());
        assertTrue(page.path("tiles").toString().contains("websocket"), page.path("tiles").toString());
        assertTrue(page.path("plugins").toString().contains("demo: ") && page.path("plugins").toString().contains("echo"),
                "the bundled plugins are listed with their tools: "
                + page.path("plugins"));
        assertTrue(page.path("errors").toString().contains("no_such_tool"), page.path("errors").toString());
        assertEquals(0, page.path("foreignRequests").size(), "the page loads nothing from elsewhere: "
                + page.path("foreignRequests"));
        assertFalse(page.path("statusLine").asText().contains("HTTP"), page.path("statusLine").asText());
    }

    private static boolean has(List<String> rows, String client, String transport) {
        return rows.stream().anyMatch(r -> r.contains(client) && r.contains("\"" + transport + "\""));
    }

    private static JsonNode step(JsonNode summary, String name, NodeScript.Result run, ServerProcess server) {
        JsonNode step = summary.path("steps").path(name);
        if (!step.path("ok").asBoolean()) {
            fail("step '" + name + "' failed: " + step + "\n" + run + "\n--- server log ---\n" + server.stderr());
        }
        return step;
    }
}
