package io.mcpserver.testkit;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What {@code resources/read} answered: one map per item ({@code uri}, {@code mimeType}, {@code text} or {@code blob}). */
public record ResourceContents(List<Map<String, Object>> contents) {

    public ResourceContents {
        contents = List.copyOf(contents);
    }

    /** The text of every text item, joined by new lines. */
    public String text() {
        return contents.stream().filter(c -> c.containsKey("text")).map(c -> String.valueOf(c.get("text")))
                .collect(Collectors.joining("\n"));
    }
}
