package io.mcpserver.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Headless Debian chromium opens the WebSocket example page ({@code docs/examples/websocket.html}), which
 * connects to {@code bin/mcp-server} with {@code new WebSocket(...)}, initializes and calls tools; the test
 * reads the outcome from the page.
 */
class BrowserWebSocketIT {

    @Test
    void aBrowserPageCallsAToolOverWebSocket() throws Exception {
        Path chromium = TestEnv.chromium().orElseThrow(() -> new AssertionError(
                "no chromium: setup-test-env.sh installs Debian's chromium (apt-get install chromium)"));
        assertTrue(Files.isExecutable(chromium), chromium + " is not executable");
        Path page = repositoryRoot().resolve("docs/examples/websocket.html");
        assertTrue(Files.isRegularFile(page), "no example page at " + page);

        try (ServerProcess server = ServerProcess.builder().name("browser-websocket").tcp(false).start()) {
            String ws = "ws://" + server.host("http") + ":" + server.httpPort() + "/ws";
            NodeScript.Result run = NodeScript.of("browser-websocket.mjs")
                    .args(page.toString(), ws)
                    .timeout(Duration.ofMinutes(3))
                    .run();
            JsonNode summary = run.json();
            step(summary, "browser", run, server);
            JsonNode tab = step(summary, "page", run, server);
            assertEquals("done", tab.path("state").asText(), "the page's tour ended: " + tab + "\n" + summary.path("console"));
            JsonNode result = tab.path("result");
            assertEquals("mcp-server", result.path("serverInfo").path("name").asText(), result.toString());
            assertTrue(texts(result.path("tools")).contains("echo"), result.toString());
            assertEquals(List.of("Hello from a browser"), texts(result.path("echo")));
            assertEquals(List.of("Counted to 3"), texts(result.path("slowCount").path("texts")));
            assertEquals(3, result.path("slowCount").path("progress").size(), result.toString());
            assertTrue(tab.path("userAgent").asText().contains("Chrome"), tab.path("userAgent").asText());
            // the browser offered no subprotocol, and its Origin (http://127.0.0.1:…) was allowed
            assertTrue(server.stderr().contains("(subprotocol none)"), server.stderr());
        }
    }

    /** dist/src/test/node → the repository's root. */
    private static Path repositoryRoot() {
        return TestEnv.nodeScripts().getParent().getParent().getParent().getParent();
    }

    private static JsonNode step(JsonNode summary, String name, NodeScript.Result run, ServerProcess server) {
        JsonNode step = summary.path("steps").path(name);
        if (!step.path("ok").asBoolean()) {
            fail("step '" + name + "' failed: " + step + "\n" + run + "\n--- server log ---\n" + server.stderr());
        }
        return step;
    }

    private static List<String> texts(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(node -> result.add(node.asText()));
        return result;
    }
}
