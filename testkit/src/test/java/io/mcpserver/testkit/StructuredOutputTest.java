package io.mcpserver.testkit;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tools/call checks structured content against the tool's output schema before a client sees it. */
class StructuredOutputTest {

    public static final class Plugin implements McpPlugin {
        @Override
        public String name() {
            return "shapes";
        }

        @Override
        public List<Tool> tools() {
            ToolDescriptor d = ToolDescriptor.builder("shape")
                    .param("a", "string", null, false)
                    .outputSchema(Map.of("type", "object", "properties", Map.of("a", Map.of("type", "string")),
                            "required", List.of("a")))
                    .build();
            return List.of(Tool.of(d, (args, ctx) -> {
                Map<String, Object> out = new HashMap<>();
                out.put("a", args.get("a")); // null when not given: not what the schema promises
                return ToolResult.structured(out, "{}");
            }));
        }
    }

    @Test
    void aResultThatBreaksItsOutputSchemaBecomesAToolError() throws Exception {
        try (McpTestServer server = McpTestServer.with(Plugin.class).start();
             McpTestClient client = server.client()) {
            ToolCallResult ok = client.callTool("shape", Map.of("a", "x"));
            assertFalse(ok.isError(), ok.toString());
            assertEquals(Map.of("a", "x"), ok.structured());

            ToolCallResult bad = client.callTool("shape", Map.of());
            assertTrue(bad.isError(), bad.toString());
            assertTrue(bad.text().startsWith("Tool 'shape' returned structured content that does not match its "
                    + "output schema: "), bad.text());
        }
    }
}
