package com.example.notes;

import io.mcpserver.testkit.McpTestClient;
import io.mcpserver.testkit.McpTestServer;
import io.mcpserver.testkit.ToolCallResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plugin in a real server started by the test kit, used through a real MCP client. */
class NotesPluginTest {

    @Test
    void addsFindsReadsAndDeletesNotes() {
        try (McpTestServer server = McpTestServer.with(NotesPlugin.class).config("default-tags", List.of("mine")).start();
             McpTestClient client = server.client()) {
            ToolCallResult added = client.callTool("add_note", Map.of("title", "Groceries", "text", "milk, eggs",
                    "tags", List.of("Home")));
            assertEquals("notes://note/1", added.structured().get("uri"), added.toString());
            assertEquals(List.of("home", "mine"), added.structured().get("tags"));

            ToolCallResult found = client.callTool("search_notes", Map.of("query", "EGGS"));
            assertEquals(1, found.structured().get("count"));
            assertEquals("# Groceries\n\nmilk, eggs", client.readResource("notes://note/1").text());
            assertTrue(client.readResource("notes://index").text().contains("[Groceries](notes://note/1)"));
            assertEquals(List.of("home"), client.completePrompt("summarize_notes", "tag", "h").values());

            assertEquals("Deleted note 1", client.callTool("delete_note", Map.of("id", "1")).text());
            McpTestClient.McpError gone = assertThrows(McpTestClient.McpError.class,
                    () -> client.readResource("notes://note/1"));
            assertTrue(gone.getMessage().contains("not found"), gone.getMessage());
        }
    }

    @Test
    void tooLongANoteIsAToolErrorTheModelCanRead() {
        try (McpTestServer server = McpTestServer.with(NotesPlugin.class).config("max-length", 5).start();
             McpTestClient client = server.client()) {
            ToolCallResult result = client.callTool("add_note", Map.of("title", "t", "text", "far too long"));
            assertTrue(result.isError());
            assertTrue(result.text().contains("at most 5"), result.text());
        }
    }

    @Test
    void suggestsATitleWithTheClientsModelWhenItMay() {
        try (McpTestServer server = McpTestServer.with(NotesPlugin.class).start();
             McpTestClient plain = server.client();
             McpTestClient sampling = server.client(McpTestClient.options().samplingText(q -> "Shopping list"))) {
            assertEquals("buy milk and eggs", plain.callTool("suggest_title", Map.of("text", "buy milk and eggs")).text());
            assertEquals("Shopping list", sampling.callTool("suggest_title", Map.of("text", "buy milk")).text());
        }
    }

    @Test
    void notesSurviveARestartInTheDataDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) {
        try (McpTestServer server = McpTestServer.with(NotesPlugin.class).dataDir(data).start()) {
            server.client().callTool("add_note", Map.of("title", "Kept", "text", "across restarts"));
        }
        try (McpTestServer server = McpTestServer.with(NotesPlugin.class).dataDir(data).start()) {
            McpTestClient client = server.client();
            client.subscribe("notes://index");
            assertTrue(client.readResource("notes://index").text().contains("Kept"));
            client.callTool("add_note", Map.of("title", "Second", "text", "x"));
            assertEquals("notes://index", client.awaitNotification("notifications/resources/updated",
                    Duration.ofSeconds(10)).params().get("uri"));
        }
    }
}
