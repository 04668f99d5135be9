package io.mcpserver.testkit;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What {@code prompts/get} answered: a description and messages ({@code role}, {@code content}). */
public record PromptMessages(String description, List<Map<String, Object>> messages) {

    public PromptMessages {
        messages = List.copyOf(messages);
    }

    /** The text of every text message, joined by new lines. */
    public String text() {
        return messages.stream().map(m -> m.get("content")).filter(c -> c instanceof Map<?, ?> map
                        && "text".equals(map.get("type")))
                .map(c -> String.valueOf(((Map<?, ?>) c).get("text"))).collect(Collectors.joining("\n"));
    }
}
