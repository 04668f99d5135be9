package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The official TypeScript SDK client against {@code bin/mcp-server}'s HTTP listener, over Streamable HTTP
 * ({@code StreamableHTTPClientTransport}) and legacy HTTP+SSE ({@code SSEClientTransport}), through
 * http-client.mjs; each test checks one step of its summary for both transports.
 */
class HttpSdkIT {

    private static ServerProcess server;
    private static NodeScript.Result run;
    private static JsonNode summary;

    @BeforeAll
    static void runTheSdkClient() throws Exception {
        server = ServerProcess.builder().name("http-sdk").tcp(false).plugins("demo").start();
        String base = "http://" + server.host("http") + ":" + server.httpPort();
        run = NodeScript.of("http-client.mjs").args(base).timeout(Duration.ofMinutes(3)).run();
        summary = run.assertSuccess().json();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void initializes(String transport) {
        JsonNode step = step(transport, "initialize");
        assertTrue(step.path("capabilities").has("tools"), "no tools capability: " + step);
        assertTrue(step.path("capabilities").path("resources").path("subscribe").asBoolean(), step.toString());
        if (transport.equals("streamable")) {
            assertTrue(step.path("sessionId").asText().matches("[\\x21-\\x7E]+"), "session id: " + step);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void listsTools(String transport) {
        List<String> names = texts(step(transport, "listTools").path("names"));
        assertTrue(names.containsAll(List.of("slow_count", "ask_model", "ask_user", "bump_counter")), names.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void progressAndLogsArriveDuringTheCall(String transport) {
        JsonNode step = step(transport, "slowCount");
        assertFalse(step.path("isError").asBoolean(), step.toString());
        // The SDK's SSEClientTransport dispatches the events of one network read synchronously while its
        // notification handlers run a microtask later, so the last progress can lose the race with the
        // response it immediately precedes (the server sent all three in order); Streamable HTTP reads
        // event by event and sees every one.
        int expected = transport.equals("streamable") ? 3 : 2;
        assertTrue(step.path("progress").size() >= expected, "progress notifications: " + step);
        double last = 0;
        for (JsonNode p : step.path("progress")) {
            assertTrue(p.path("progress").asDouble() > last, "progress must increase: " + step);
            last = p.path("progress").asDouble();
        }
        assertTrue(step.path("logs").size() >= 3, "log notifications: " + step);
    }

    @Test
    void aCallThatEmitsNothingBeforeItsResultIsAnsweredWithOneJsonBody() {
        // the SDK sends "Accept: application/json, text/event-stream" on every POST; the server picks JSON here
        JsonNode step = step("streamable", "listTools");
        assertTrue(step.path("initializeContentType").asText().startsWith("application/json"), step.toString());
        assertTrue(step.path("contentType").asText().startsWith("application/json"), step.toString());
    }

    @Test
    void aCallThatReportsProgressOrAsksTheClientIsAnsweredWithAStream() {
        assertTrue(step("streamable", "slowCount").path("contentType").asText().startsWith("text/event-stream"),
                step("streamable", "slowCount").toString());
        assertTrue(step("streamable", "sampling").path("contentType").asText().startsWith("text/event-stream"),
                step("streamable", "sampling").toString());
    }

    @Test
    void aStreamDroppedMidCallIsResumedByTheSdkWithEverythingInOrder() {
        JsonNode step = step("streamable", "resumedCall");
        assertTrue(step.path("contentType").asText().startsWith("text/event-stream"), step.toString());
        assertFalse(step.path("isError").asBoolean(), step.toString());
        assertEquals(List.of("Counted to 5"), texts(step.path("texts")), step.toString());
        List<String> resumedWith = texts(step.path("resumedWith"));
        assertTrue(resumedWith.stream().anyMatch(id -> !id.equals("null") && !id.isEmpty()),
                "the SDK resumes the POST stream with GET + Last-Event-ID: " + step);
        // every progress and log exactly once, in order, and the result after all of them
        List<String> progress = new ArrayList<>();
        step.path("progress").forEach(p -> progress.add(p.path("progress").asText()));
        assertEquals(List.of("1", "2", "3", "4", "5"), progress, step.toString());
        List<String> logs = new ArrayList<>();
        step.path("logs").forEach(l -> logs.add(l.path("data").asText()));
        assertEquals(List.of("count 1 of 5", "count 2 of 5", "count 3 of 5", "count 4 of 5", "count 5 of 5"), logs,
                step.toString());
        List<String> order = texts(step.path("order"));
        assertEquals("result", order.getLast(), step.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void samplingIsAnsweredByTheClient(String transport) {
        JsonNode step = step(transport, "sampling");
        assertFalse(step.path("isError").asBoolean(), step.toString());
        assertEquals(1, step.path("requests").asInt(), step.toString());
        assertTrue(texts(step.path("texts")).stream().anyMatch(t -> t.contains("42 (answered over " + transport + ")")),
                step.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void elicitationIsAnsweredByTheClient(String transport) {
        JsonNode step = step(transport, "elicitation");
        assertFalse(step.path("isError").asBoolean(), step.toString());
        assertTrue(texts(step.path("texts")).stream().anyMatch(t -> t.contains("Ada") && t.contains("green")),
                step.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void subscribersHearOfResourceUpdates(String transport) {
        JsonNode step = step(transport, "subscribe");
        assertTrue(step.path("updates").size() >= 1, "no notifications/resources/updated: " + step);
        assertEquals("demo://counter", step.path("updates").get(0).path("uri").asText(), step.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void anEndedSessionIs404(String transport) {
        JsonNode step = step(transport, "endSession");
        assertEquals(404, step.path("statusAfterDelete").asInt(), step.toString());
    }

    private static JsonNode step(String transport, String name) {
        JsonNode step = summary.path("steps").path(transport + "." + name);
        if (!step.path("ok").asBoolean()) {
            fail("step '" + transport + "." + name + "' failed: " + step + "\n--- client stderr ---\n" + run.stderr()
                    + "\n--- server log ---\n" + server.stderr());
        }
        return step;
    }

    private static List<String> texts(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(node -> result.add(node.asText()));
        return result;
    }
}
