package io.mcpserver.spi.tools;

import io.mcpserver.spi.content.Content;

import java.util.List;
import java.util.Map;

/**
 * The result of a tool call.
 *
 * @param content           content blocks for the model
 * @param structuredContent a JSON object matching the tool's output schema, or null
 * @param isError           true when the tool failed; the content says why
 */
public record ToolResult(List<Content> content, Map<String, Object> structuredContent, boolean isError) {

    public ToolResult {
        content = content == null ? List.of() : List.copyOf(content);
    }

    public static ToolResult text(String text) {
        return new ToolResult(List.of(Content.text(text)), null, false);
    }

    public static ToolResult of(Content... content) {
        return new ToolResult(List.of(content), null, false);
    }

    /** A structured result, with its JSON text as the content block for clients that ignore structure. */
    public static ToolResult structured(Map<String, Object> structured, String text) {
        return new ToolResult(List.of(Content.text(text)), structured, false);
    }

    public static ToolResult error(String message) {
        return new ToolResult(List.of(Content.text(message)), null, true);
    }
}
