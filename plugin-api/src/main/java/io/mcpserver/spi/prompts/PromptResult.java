package io.mcpserver.spi.prompts;

import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.Role;

import java.util.List;

/** The messages a prompt expands to. */
public record PromptResult(String description, List<Message> messages) {

    public PromptResult {
        messages = List.copyOf(messages);
    }

    public static PromptResult ofUserText(String description, String text) {
        return new PromptResult(description, List.of(new Message(Role.USER, Content.text(text))));
    }

    public record Message(Role role, Content content) {
    }
}
