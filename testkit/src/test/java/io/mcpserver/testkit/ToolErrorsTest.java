package io.mcpserver.testkit;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.McpProtocolException;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a client sees of each way a plugin can fail: a message it chose, a JSON-RPC error it chose, or neither. */
class ToolErrorsTest {

    public static final class Plugin implements McpPlugin {
        @Override
        public String name() {
            return "failing";
        }

        @Override
        public List<Tool> tools() {
            return List.of(
                    Tool.of(ToolDescriptor.builder("chosen").build(), (args, ctx) -> {
                        throw new ToolException("no note with id 42; search_notes lists the ids");
                    }),
                    Tool.of(ToolDescriptor.builder("protocol").build(), (args, ctx) -> {
                        throw new McpProtocolException(McpProtocolException.INVALID_PARAMS, "start is after end",
                                Map.of("field", "start"));
                    }),
                    Tool.of(ToolDescriptor.builder("unexpected").build(), (args, ctx) -> {
                        throw new IllegalStateException("jdbc:postgresql://db.internal:5432/prod refused");
                    }));
        }

        @Override
        public List<Prompt> prompts() {
            return List.of(Prompt.of(PromptDescriptor.builder("strict").build(), (args, ctx) -> {
                throw McpProtocolException.invalidParams("style must be one of: plain, fancy");
            }));
        }
    }

    @Test
    void eachKindOfFailureReachesTheClientAsThePluginIntended() throws Exception {
        try (McpTestServer server = McpTestServer.with(Plugin.class).start();
             McpTestClient client = server.client()) {
            ToolCallResult chosen = client.callTool("chosen", Map.of());
            assertTrue(chosen.isError());
            assertEquals("no note with id 42; search_notes lists the ids", chosen.text());

            var protocol = assertThrows(McpTestClient.McpError.class, () -> client.callTool("protocol", Map.of()));
            assertEquals(-32602, protocol.code());
            assertTrue(protocol.getMessage().contains("start is after end"), protocol.getMessage());

            ToolCallResult unexpected = client.callTool("unexpected", Map.of());
            assertTrue(unexpected.isError());
            assertFalse(unexpected.text().contains("jdbc"), "internals stay in the log: " + unexpected.text());
            assertTrue(unexpected.text().contains("reference"), unexpected.text());

            var prompt = assertThrows(McpTestClient.McpError.class, () -> client.getPrompt("strict", Map.of()));
            assertEquals(-32602, prompt.code());
        }
    }

    @Test
    void reservedCodesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new McpProtocolException(-32603, "internal"));
        assertEquals(42, new McpProtocolException(42, "application error").code());
    }
}
