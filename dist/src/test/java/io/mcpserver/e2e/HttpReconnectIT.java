package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The official TypeScript SDK client (1.32.2) settles after JSON-RPC errors and cancelled calls on Streamable
 * HTTP (issue 12, item 9). The SDK resumes each such POST stream with {@code GET} and the finished stream's
 * {@code Last-Event-ID}; a server that answered with the session's standalone stream made the resumption and
 * the client's own GET take the stream from each other once per {@code retry}, forever, and delivered every
 * notification once per takeover. Driven by http-reconnect.mjs.
 */
class HttpReconnectIT {

    private static final int ERRORS = 6;
    private static final int CANCELS = 4;

    private static ServerProcess server;
    private static NodeScript.Result run;
    private static JsonNode summary;

    @BeforeAll
    static void runTheSdkClient() throws Exception {
        server = ServerProcess.builder().name("http-reconnect").tcp(false).plugins("demo").start();
        String base = "http://" + server.host("http") + ":" + server.httpPort();
        run = NodeScript.of("http-reconnect.mjs").args(base, String.valueOf(ERRORS), String.valueOf(CANCELS), "8000")
                .timeout(Duration.ofMinutes(2)).run();
        summary = run.assertSuccess().json();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void errorsAndCancellationsReachTheClient() {
        JsonNode step = step("failures");
        assertEquals(ERRORS, step.path("codes").size(), step.toString());
        step.path("codes").forEach(code -> assertEquals(-32602, code.asInt(), "unknown tool: " + step));
        assertEquals(CANCELS, step.path("cancelled").asInt(), step.toString());
    }

    @Test
    void theClientStopsReconnectingOnceEveryStreamIsFinished() {
        JsonNode step = step("settle");
        assertEquals(0, step.path("getsInSecondHalfOfIdle").asInt(), "GETs still going after the calls ended: " + step);
        int standalone = 0;
        for (JsonNode get : step.path("gets")) {
            String lastEventId = get.path("lastEventId").asText(null);
            boolean resumesAPostStream = lastEventId != null && !lastEventId.startsWith("g-");
            if (!resumesAPostStream) {
                standalone++;
            } else {
                // a finished stream has nothing more: 204 tells an SSE client not to reconnect
                assertEquals(204, get.path("status").asInt(), "resumption of a finished stream: " + step);
            }
        }
        assertEquals(1, standalone, "the session's standalone stream must be opened once: " + step);
        assertTrue(step.path("gets").size() <= 1 + ERRORS + CANCELS, "at most one resumption per call: " + step);
    }

    @Test
    void eachNotificationArrivesOnce() {
        JsonNode step = step("settle");
        assertEquals(1, step.path("updatesAfterOneBump").asInt(), "resources/updated after one bump: " + step);
    }

    private static JsonNode step(String name) {
        JsonNode step = summary.path("steps").path(name);
        if (!step.path("ok").asBoolean()) {
            fail("step '" + name + "' failed: " + step + "\n--- client stderr ---\n" + run.stderr()
                    + "\n--- server log ---\n" + server.stderr());
        }
        return step;
    }
}
