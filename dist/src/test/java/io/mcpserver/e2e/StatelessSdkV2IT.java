package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official TypeScript SDK v2 client ({@code @modelcontextprotocol/client} 2.4.0, pinned to 2026-07-28)
 * against {@code bin/mcp-server} with the conformance fixtures, over Streamable HTTP and over stdio: a
 * multi-round tool answered by the client's elicitation handler, and tasks (start, poll, result; a task that
 * asks for input; over HTTP a task that finishes while no client is connected). See sdk-v2-client.mjs.
 */
class StatelessSdkV2IT {

    @Test
    void overStreamableHttp() throws Exception {
        try (ServerProcess server = fixtures("sdk-v2-http").start()) {
            JsonNode summary = NodeScript.of("sdk-v2-client.mjs").args(server.httpUri("/mcp").toString())
                    .timeout(Duration.ofMinutes(2)).run().assertSuccess().json();
            speaksTheStatelessEra(summary);
            JsonNode alone = step(summary, "taskOutlivesClient");
            assertEquals("completed", alone.path("status").asText(), alone.toString());
            assertEquals("Computed alone after 2.0 s", alone.path("text").asText());
        }
    }

    @Test
    void overStdio() throws Exception {
        ServerProcess.Launch launch = fixtures("sdk-v2-stdio").stdio().http(false).launch();
        JsonNode summary = NodeScript.of("sdk-v2-client.mjs").server(launch).timeout(Duration.ofMinutes(2)).run()
                .assertSuccess().json();
        speaksTheStatelessEra(summary);
    }

    private static ServerProcess.Builder fixtures(String name) {
        return ServerProcess.builder().name(name).tcp(false).plugins("conformance")
                .env("MCP_PLUGINS_CONFORMANCE_ENABLED", "true");
    }

    private static void speaksTheStatelessEra(JsonNode summary) {
        JsonNode connect = step(summary, "connect");
        assertEquals("2026-07-28", connect.path("protocolVersion").asText(), connect.toString());
        assertTrue(connect.path("extensions").has("io.modelcontextprotocol/tasks"), connect.toString());

        JsonNode multiRound = step(summary, "multiRound");
        assertEquals("Ada likes blue", multiRound.path("text").asText(), multiRound.toString());
        assertEquals(2, multiRound.path("elicitations").asInt(), "two rounds, one question each");

        JsonNode task = step(summary, "task");
        assertTrue(task.path("created").asBoolean(), "tools/call answered with a CreateTaskResult: " + task);
        assertEquals("working", task.path("firstStatus").asText());
        assertEquals("completed", task.path("status").asText(), task.toString());
        assertEquals("Computed sdk-v2 after 1.0 s", task.path("text").asText());
        assertEquals("working", task.path("seen").path(0).asText(), "polled while it ran: " + task);

        JsonNode asks = step(summary, "taskAsks");
        assertEquals(List.of("input-0"), JsonRpcPeer.JSON.convertValue(asks.path("keys"), List.class));
        assertEquals("Deleted a.txt", asks.path("text").asText(), asks.toString());
    }

    private static JsonNode step(JsonNode summary, String name) {
        JsonNode step = summary.path("steps").path(name);
        assertTrue(step.path("ok").asBoolean(), name + " failed: " + step);
        return step;
    }
}
