package com.example.oldjackson;

import io.mcpserver.testkit.McpTestClient;
import io.mcpserver.testkit.McpTestServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin's own tests in the test kit. Its test class path holds Jackson 2.12 only: a server sharing it would
 * not start (its JSON code needs Jackson 2.16+). The kit runs the server on its own Jackson and loads the plugin
 * through a plugin class loader, so both run, each on its own version.
 */
class OldJacksonPluginTest {

    @Test
    void theTestClassPathHasTheOldJacksonOnly() {
        assertTrue(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString().startsWith("2.12."));
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("com.fasterxml.jackson.core.util.JsonRecyclerPools"),
                "the server's Jackson (2.16+) is not on the test class path");
    }

    @Test
    void theToolsRunOnThePluginsJacksonInsideTheServer() {
        try (McpTestServer server = McpTestServer.with(OldJacksonPlugin.class).start();
             McpTestClient client = server.client()) {
            assertTrue(client.callTool("jackson_version", Map.of()).text().startsWith("2.12."),
                    "the plugin sees the Jackson it bundles");
            assertEquals("{\n  \"a\" : [ 1, 2 ]\n}",
                    client.callTool("pretty_json", Map.of("json", "{\"a\":[1,2]}")).text().replace("\r\n", "\n"));
            assertEquals(Map.of("type", "array", "size", 3),
                    client.callTool("shape", Map.of("json", "[1,2,3]")).structured());
        }
    }
}
