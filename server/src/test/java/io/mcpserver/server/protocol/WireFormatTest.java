package io.mcpserver.server.protocol;

import io.mcpserver.server.json.Json;
import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.Icon;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What the SPI's value types look like on the wire: {@code _meta}, icons and titles appear only when set. */
class WireFormatTest {

    @Test
    void toolCarriesIconsAndMetaOnlyWhenSet() throws Exception {
        ToolDescriptor tool = ToolDescriptor.builder("t")
                .icons(List.of(Icon.builder("https://example.com/t.png").mimeType("image/png").sizes(List.of("48x48"))
                        .theme("dark").build()))
                .meta(Map.of("com.example/owner", "ops"))
                .build();
        assertEquals(Json.parse("""
                {"name":"t","inputSchema":{"type":"object","properties":{}},
                 "icons":[{"src":"https://example.com/t.png","mimeType":"image/png","sizes":["48x48"],"theme":"dark"}],
                 "_meta":{"com.example/owner":"ops"}}"""), WireFormat.tool(tool, ProtocolVersion.LATEST_LEGACY));
        var plain = WireFormat.tool(ToolDescriptor.builder("t").build(), ProtocolVersion.LATEST_LEGACY);
        assertFalse(plain.has("icons") || plain.has("_meta"));
    }

    @Test
    void resultAndContentCarryMeta() throws Exception {
        ToolResult result = ToolResult.builder()
                .addContent(TextContent.builder("x").meta(Map.of("k", 1)).build())
                .meta(Map.of("r", true))
                .build();
        assertEquals(Json.parse("""
                {"content":[{"type":"text","text":"x","_meta":{"k":1}}],"_meta":{"r":true}}"""),
                WireFormat.toolResult(result, ProtocolVersion.LATEST_LEGACY));
        assertFalse(WireFormat.content(Content.text("y")).has("_meta"));
    }

    @Test
    void promptArgumentTitle() throws Exception {
        PromptDescriptor prompt = PromptDescriptor.builder("p")
                .argument(PromptDescriptor.Argument.builder("a").title("The A").required(true).build())
                .build();
        assertEquals(Json.parse("""
                {"name":"p","arguments":[{"name":"a","title":"The A","required":true}]}"""),
                WireFormat.prompt(prompt, ProtocolVersion.LATEST_LEGACY));
    }

    @Test
    void malformedClientContentIsInvalidParams() throws Exception {
        var e = org.junit.jupiter.api.Assertions.assertThrows(McpException.class,
                () -> WireFormat.parseContent(Json.parse("{\"type\":\"image\",\"data\":\"AA==\"}")));
        assertEquals(ErrorCodes.INVALID_PARAMS, e.code());
    }
}
