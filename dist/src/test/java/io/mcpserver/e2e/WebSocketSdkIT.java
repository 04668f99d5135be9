package io.mcpserver.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The official TypeScript SDK's {@code WebSocketClientTransport} (Node 22) against {@code bin/mcp-server}:
 * it offers the subprotocol {@code mcp} and fails unless the server echoes it.
 */
class WebSocketSdkIT {

    @Test
    void theTypeScriptSdkClientWorksOverWebSocket() throws Exception {
        try (ServerProcess server = ServerProcess.builder().name("websocket-sdk").tcp(false).start()) {
            NodeScript.Result run = NodeScript.of("websocket-client.mjs")
                    .args("ws://" + server.host("http") + ":" + server.httpPort())
                    .timeout(Duration.ofMinutes(2))
                    .run();
            JsonNode summary = run.json();
            assertTrue(summary.path("node").asText().startsWith("v22."), "runs on Node 22: " + summary.path("node"));

            JsonNode sdk = step(summary, "sdk", run, server);
            assertEquals("mcp", sdk.path("subprotocol").asText(), "the server echoes the subprotocol");
            assertEquals("mcp-server", sdk.path("serverInfo").path("name").asText());
            assertTrue(texts(sdk.path("tools")).containsAll(List.of("echo", "slow_count", "sleep")), sdk.toString());
            assertEquals(List.of("hello over WebSocket ✓"), texts(sdk.path("echo")));
            assertEquals(List.of("Counted to 3"), texts(sdk.path("slowCount").path("texts")));
            // The SDK hands notifications to a microtask but responses not: the last progress, arriving in one
            // read with the response, finds its handler gone. AllTransportsIT checks all three on the wire. The
            // script spaces the steps 250 ms apart: at 20 ms a loaded machine delivered two of them with the response.
            assertTrue(sdk.path("slowCount").path("progress").size() >= 2, sdk.toString());
            assertTrue(sdk.path("readme").asText().contains("demo plugin"), sdk.toString());
            assertTrue(sdk.path("greet").asText().contains("Ada"), sdk.toString());
            assertTrue(sdk.path("cancel").path("rejected").asBoolean(), "the aborted call rejects: " + sdk);
            assertEquals("running", sdk.path("cancel").path("running").asText(), "cancelled while it ran: " + sdk);
            assertTrue(sdk.path("cancel").path("serverOutcome").asText().startsWith("cancelled"),
                    "the server stopped the tool (demo://calls/websocket-sdk): " + sdk);
            assertEquals(List.of("still here"), texts(sdk.path("afterCancel")));

            assertEquals(List.of("at the root"), texts(step(summary, "root", run, server).path("echo")));

            JsonNode binary = step(summary, "binary", run, server);
            assertEquals(1003, binary.path("code").asInt(), binary.toString());
            assertTrue(binary.path("reason").asText().contains("Binary frames"), binary.toString());
        }
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
