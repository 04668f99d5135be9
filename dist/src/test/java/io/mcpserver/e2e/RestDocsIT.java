package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Headless Debian chromium opens {@code /docs} of {@code bin/mcp-server} (Swagger UI from the server's WebJar),
 * executes the demo plugin's {@code echo} from the page and sees its result; the screenshot is kept in
 * {@code target/rest-docs-echo.png}.
 */
class RestDocsIT {

    @Test
    void swaggerUiOnDocsExecutesEchoFromThePage() throws Exception {
        Path chromium = TestEnv.chromium().orElseThrow(() -> new AssertionError(
                "no chromium: setup-test-env.sh installs Debian's chromium (apt-get install chromium)"));
        assertTrue(Files.isExecutable(chromium), chromium + " is not executable");
        Path screenshot = Path.of("target", "rest-docs-echo.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);

        try (ServerProcess server = ServerProcess.builder().name("rest-docs").tcp(false).start()) {
            String docs = "http://" + server.host("http") + ":" + server.httpPort() + "/docs";
            NodeScript.Result run = NodeScript.of("rest-docs.mjs")
                    .args(docs, screenshot.toString())
                    .timeout(Duration.ofMinutes(3))
                    .run();
            JsonNode summary = run.json();
            for (String step : List.of("browser", "page")) {
                if (!summary.path("steps").path(step).path("ok").asBoolean()) {
                    fail("step '" + step + "' failed: " + summary.path("steps").path(step) + "\nconsole: "
                            + summary.path("console") + "\n" + run + "\n--- server log ---\n" + server.stderr());
                }
            }
            JsonNode page = summary.path("steps").path("page");
            assertEquals("200", page.path("status").asText(), page.toString());
            JsonNode response = JsonRpcPeer.JSON.readTree(page.path("response").asText());
            assertEquals("Hello from Swagger UI", response.path("content").path(0).path("text").asText(),
                    page.toString());
            assertEquals(List.of(server.host("http") + ":" + server.httpPort()), texts(page.path("hosts")),
                    "every file from the server itself, no CDN");
            assertTrue(Files.size(screenshot) > 10_000, "a screenshot at " + screenshot);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> result = new java.util.ArrayList<>();
        array.forEach(node -> result.add(node.asText()));
        return result;
    }
}
