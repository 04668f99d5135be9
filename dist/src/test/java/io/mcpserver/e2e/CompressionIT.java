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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compression against {@code bin/mcp-server} with the demo plugin and a 1 MiB message limit, through the official
 * TypeScript SDK (Node's fetch asks for gzip and decompresses by itself): SSE streams and large JSON replies arrive
 * compressed, progress still arrives event by event while the call runs, and request bodies in gzip are accepted
 * up to the limit of their decompressed size (a zip bomb gets 413). The server compresses the streams a GET opens
 * too ({@code get-streams}), since the legacy transport's only stream is one.
 */
class CompressionIT {

    private static ServerProcess server;
    private static JsonNode summary;

    @BeforeAll
    static void run() throws Exception {
        server = ServerProcess.builder().name("compression").plugins("demo").config("""
                limits:
                  max-message-size: 1MiB
                transports:
                  http:
                    legacy-sse: true
                    # the legacy transport's one stream is opened by a GET: compressed only when asked
                    compression:
                      get-streams: true
                """).start();
        summary = NodeScript.of("compression-client.mjs").args("http://" + server.host("http") + ":" + server.httpPort())
                .timeout(Duration.ofMinutes(3)).run().assertSuccess().json();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode step(String name) {
        JsonNode step = summary.path("steps").path(name);
        assertTrue(step.path("ok").asBoolean(), name + ": " + step);
        return step;
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "sse"})
    void streamsArriveCompressedAndEventByEvent(String kind) {
        JsonNode step = step(kind);
        assertEquals("Counted to 3", step.path("text").asText(), step.toString());
        List<String> encodings = new ArrayList<>();
        step.path("encodings").forEach(e -> encodings.add(e.asText()));
        assertTrue(encodings.stream().anyMatch(e -> e.contains("text/event-stream gzip")),
                "an event stream in gzip: " + encodings);
        JsonNode progress = step.path("progressAt");
        // The TS SDK hands notifications to a microtask but handles responses at once: the last progress, arriving
        // in one read with the result (the tool answers right after its last step), can find its handler gone.
        assertTrue(progress.size() >= 2, step.toString());
        // steps are 400 ms apart: the first progress arrives well before the result, not with it at the end
        assertTrue(step.path("resultAt").asLong() - progress.get(0).asLong() >= 600,
                "progress was held back until the end: " + step);
    }

    @Test
    void gzipRequestBodiesAreAcceptedAndAZipBombIsRefused() {
        JsonNode body = step("gzip-body");
        assertEquals(200, body.path("status").asInt(), body.toString());
        assertTrue(body.path("body").asText().contains("protocolVersion"), body.toString());
        JsonNode bomb = step("zip-bomb");
        assertTrue(bomb.path("sent").asInt() < 1 << 20, "the bomb is under the limit as sent: " + bomb);
        assertEquals(413, bomb.path("status").asInt(), bomb.toString());
        assertTrue(server.isAlive(), "and the server is still there");
    }
}
