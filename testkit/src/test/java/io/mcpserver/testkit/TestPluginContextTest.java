package io.mcpserver.testkit;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestPluginContextTest {

    @Test
    void holdsTheSectionAndRecordsTheCallbacks() {
        TestPluginContext context = TestPluginContext.of("notes")
                .config(Map.of("max-length", 5, "tags", List.of("a", "b"), "store", Map.of("kind", "files")));
        assertEquals(5, context.config().number("max-length", 0));
        assertEquals(List.of("a", "b"), context.config().strings("tags"));
        assertEquals("files", context.config().section("store").string("kind", null));
        assertEquals("mcp.plugin.notes", context.logger().getName());

        context.resourceUpdated("notes://index");
        context.contributionsChanged();
        assertEquals(List.of("notes://index"), context.updatedResources());
        assertEquals(1, context.contributionsChangedCount());

        assertTrue(Files.isDirectory(context.dataDirectory()));
        assertEquals(context.dataDirectory(), context.dataDirectory(), "one directory per context");
    }
}
