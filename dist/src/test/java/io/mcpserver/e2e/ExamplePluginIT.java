package io.mcpserver.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standalone example plugin ({@code docs/examples/notes-plugin}, its own Maven project built by
 * {@code src/test/build-example-plugin.sh} against this build's plugin API) dropped into the plugins
 * folder of the distribution; a client on stdio calls its tools and reads its resources.
 */
class ExamplePluginIT {

    @Test
    void theExamplePluginsJarAnswersAClient() throws Exception {
        Path jar = TestEnv.examplePluginJar();
        try (JarFile file = new JarFile(jar.toFile())) {
            assertEquals("1", file.getManifest().getMainAttributes().getValue("Mcp-Spi-Version"),
                    "the example's JAR declares the SPI version it was built for");
        }
        try (ServerProcess server = ServerProcess.builder()
                .name("example-plugin")
                .pluginJar(jar)
                .stdio()
                .tcp(false)
                .http(false)
                .start();
             JsonRpcPeer client = JsonRpcPeer.stdio(server)) {
            client.initialize();
            assertTrue(server.stderr().contains("Loading plugin notes 1.0.0 from"), server.stderr());

            List<String> tools = new ArrayList<>();
            client.request("tools/list", Map.of()).path("result").path("tools")
                    .forEach(t -> tools.add(t.path("name").asText()));
            assertEquals(List.of("add_note", "delete_note", "search_notes", "suggest_title"), tools);

            JsonNode added = client.request("tools/call", Map.of("name", "add_note", "arguments", Map.of(
                    "title", "From the end-to-end test", "text", "written by ExamplePluginIT", "tags", List.of("e2e"))))
                    .path("result");
            assertFalse(added.path("isError").asBoolean(), added.toString());
            assertEquals("notes://note/1", added.path("structuredContent").path("uri").asText(), added.toString());

            JsonNode found = client.request("tools/call", Map.of("name", "search_notes",
                    "arguments", Map.of("tag", "e2e"))).path("result");
            assertEquals(1, found.path("structuredContent").path("count").asInt(), found.toString());

            JsonNode read = client.request("resources/read", Map.of("uri", "notes://note/1")).path("result");
            assertTrue(read.path("contents").path(0).path("text").asText().contains("written by ExamplePluginIT"),
                    read.toString());
            assertTrue(Files.isRegularFile(server.workDir().resolve("data/notes/1.md")),
                    "the note is kept in the plugin's data directory");

            JsonNode invalid = client.request("tools/call", Map.of("name", "add_note", "arguments", Map.of("title", "x")));
            // SEP-1303 (2025-11-25): a schema failure is a tool execution error the model can read
            assertTrue(invalid.path("result").path("isError").asBoolean(), "missing argument: " + invalid);
            assertTrue(invalid.path("result").path("content").path(0).path("text").asText()
                    .startsWith("Invalid arguments for tool 'add_note'"), invalid.toString());
        }
    }
}
