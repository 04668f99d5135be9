package io.mcpserver.testkit;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a {@code tools/call} answered, as plain values.
 *
 * @param raw      the whole {@code result} object
 * @param progress the {@code notifications/progress} the call sent before it answered
 */
public record ToolCallResult(Map<String, Object> raw, List<McpTestClient.Notification> progress) {

    public ToolCallResult {
        raw = raw == null ? Map.of() : raw;
        progress = progress == null ? List.of() : List.copyOf(progress);
    }

    /** The content blocks ({@code type}, {@code text}, {@code data}, …). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> content() {
        return (List<Map<String, Object>>) raw.getOrDefault("content", List.of());
    }

    /** The text of every text block, joined by new lines; empty when there is none. */
    public String text() {
        return content().stream().filter(c -> "text".equals(c.get("type"))).map(c -> String.valueOf(c.get("text")))
                .collect(Collectors.joining("\n"));
    }

    /** {@code structuredContent}, or null when the tool returned none. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> structured() {
        return (Map<String, Object>) raw.get("structuredContent");
    }

    /** True when the tool failed; {@link #text()} says why. */
    public boolean isError() {
        return Boolean.TRUE.equals(raw.get("isError"));
    }

    @Override
    public String toString() {
        return (isError() ? "error: " : "") + raw;
    }
}
