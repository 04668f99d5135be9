package io.mcpserver.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The official TypeScript SDK ({@code Client} + {@code StdioClientTransport}) spawns
 * {@code bin/mcp-server --stdio} and goes through the everyday features (stdio-client.mjs); each test
 * checks one step of the summary it prints.
 */
class StdioSdkIT {

    private static NodeScript.Result run;
    private static JsonNode summary;

    @BeforeAll
    static void runTheSdkClient() throws Exception {
        ServerProcess.Launch launch = ServerProcess.builder()
                .name("stdio-sdk")
                .stdio()
                .tcp(false)
                .http(false)
                .launch();
        run = NodeScript.of("stdio-client.mjs").server(launch).timeout(Duration.ofMinutes(3)).run();
        summary = run.assertSuccess().json();
    }

    @Test
    void initializes() {
        JsonNode step = step("initialize");
        assertFalse(step.path("protocolVersion").asText().isEmpty(), "no protocol version negotiated: " + step);
        assertFalse(step.path("serverInfo").path("name").asText().isEmpty(), "no serverInfo.name: " + step);
        assertTrue(step.path("capabilities").has("tools"), "no tools capability: " + step);
    }

    @Test
    void listsTheDemoTools() {
        List<String> names = texts(step("listTools").path("names"));
        for (String tool : List.of("echo", "slow_count", "sleep")) {
            assertTrue(names.contains(tool), tool + " missing from tools/list: " + names);
        }
    }

    @Test
    void callsEcho() {
        JsonNode step = step("echo");
        assertFalse(step.path("isError").asBoolean(), "echo returned isError: " + step);
        String sent = step.path("sent").asText();
        assertTrue(texts(step.path("texts")).stream().anyMatch(t -> t.contains(sent)),
                "echo did not return '" + sent + "': " + step);
    }

    /** The official client validates structuredContent against outputSchema: nulls and empty Optionals pass. */
    @Test
    void acceptsStructuredContentWithNullAndOptionalValues() {
        JsonNode step = step("structuredWithNulls");
        JsonNode empty = step.path("empty");
        assertFalse(empty.path("isError").asBoolean(), "text_stats on '...': " + step);
        assertEquals(0, empty.path("structured").path("words").asInt(), "words: " + step);
        assertTrue(empty.path("structured").has("longestWord") && empty.path("structured").path("longestWord").isNull(),
                "longestWord should be present and null: " + step);
        assertTrue(empty.path("structured").path("firstNumber").isNull(), "empty Optional: " + step);
        JsonNode full = step.path("full");
        assertFalse(full.path("isError").asBoolean(), "text_stats on a full text: " + step);
        assertEquals("friends", full.path("structured").path("longestWord").asText(), "longestWord: " + step);
        assertEquals("42", full.path("structured").path("firstNumber").asText(), "firstNumber: " + step);
        assertEquals("2025-06-01", full.path("structured").path("firstDate").asText(), "firstDate: " + step);
    }

    @Test
    void readsTheReadmeResource() {
        JsonNode contents = step("readResource").path("contents");
        assertEquals(1, contents.size(), "demo://readme contents: " + contents);
        assertEquals("demo://readme", contents.get(0).path("uri").asText(), "contents: " + contents);
        assertFalse(contents.get(0).path("text").asText().isBlank(), "demo://readme has no text: " + contents);
    }

    @Test
    void getsTheGreetPromptWithItsArgument() {
        JsonNode step = step("getPrompt");
        assertTrue(step.path("messages").size() >= 1, "greet has no messages: " + step);
        assertTrue(texts(step.path("texts")).stream().anyMatch(t -> t.contains("Ada")),
                "greet did not use the name argument 'Ada': " + step);
    }

    @Test
    void reportsProgressAndLogsDuringSlowCount() {
        JsonNode step = step("slowCount");
        assertFalse(step.path("isError").asBoolean(), "slow_count returned isError: " + step);
        JsonNode progress = step.path("progress");
        assertTrue(progress.size() >= 2, "expected at least 2 progress notifications: " + step);
        double last = Double.NEGATIVE_INFINITY;
        for (JsonNode p : progress) {
            double value = p.path("progress").asDouble();
            assertTrue(value > last, "progress must increase: " + progress);
            last = value;
        }
        assertTrue(step.path("logs").size() >= 1, "expected notifications/message during slow_count: " + step);
        for (JsonNode log : step.path("logs")) {
            assertFalse(log.path("level").asText().isEmpty(), "log notification without level: " + log);
        }
    }

    @Test
    void cancelsASlowCall() {
        JsonNode step = step("cancel");
        assertTrue(step.path("rejected").asBoolean(), "the aborted sleep call was not reported as cancelled: " + step);
        assertTrue(step.path("error").path("message").asText().contains("cancelled by the e2e test"),
                "the SDK should reject with the abort reason: " + step);
        assertEquals("running", step.path("running").asText(), "cancelled while it ran: " + step);
        assertTrue(step.path("serverOutcome").asText().startsWith("cancelled"),
                "the server stopped the tool (demo://calls/stdio-sdk): " + step);
    }

    @Test
    void answersPromptlyAfterTheCancellation() {
        JsonNode step = step("afterCancel");
        assertTrue(texts(step.path("texts")).stream().anyMatch(t -> t.contains(step.path("sent").asText())),
                "echo after the cancellation: " + step);
    }

    private static JsonNode step(String name) {
        JsonNode step = summary.path("steps").path(name);
        if (!step.path("ok").asBoolean()) {
            fail("step '" + name + "' failed: " + step + "\n--- server stderr ---\n"
                    + summary.path("serverStderr").asText() + "\n--- client stderr ---\n" + run.stderr());
        }
        return step;
    }

    private static List<String> texts(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(node -> result.add(node.asText()));
        return result;
    }
}
