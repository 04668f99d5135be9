package io.mcpserver.plugins.time;

import io.mcpserver.testkit.McpTestServer;
import org.junit.jupiter.api.Test;
import io.mcpserver.testkit.McpTestClient;
import java.util.Map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The time plugin in a real in-process server, called by a real client over TCP (the plugin test kit). */
class TimePluginKitTest {
    @Test
    void convertsATimeForAClient() {
        try (var server = McpTestServer.with(TimePlugin.class).config("default-timezone", "UTC").start();
             var client = server.client()) {
            var result = client.callTool("convert_time", Map.of("time", "2025-06-01T12:00",
                    "source_timezone", "Europe/Paris", "target_timezone", "Asia/Tokyo"));
            assertEquals("2025-06-01T19:00:00+09:00", ((Map<?, ?>) result.structured().get("target")).get("datetime"));
        }
    }

    @Test
    void aBadPromptArgumentIsInvalidParamsWithThePluginsMessage() {
        try (var server = McpTestServer.with(TimePlugin.class).config("default-timezone", "UTC").start();
             var client = server.client()) {
            var error = assertThrows(McpTestClient.McpError.class, () -> client.getPrompt("plan_meeting",
                    Map.of("time", "2025-06-01T15:00", "timezone", "Paris",
                    "attendee_timezones", "Asia/Tokyo")));
            assertEquals(-32602, error.code(), error.getMessage());
            assertTrue(error.errorMessage().contains("Unknown time zone 'Paris'"), error.errorMessage());
        }
    }
}
