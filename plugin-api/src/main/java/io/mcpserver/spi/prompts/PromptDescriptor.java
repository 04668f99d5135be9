package io.mcpserver.spi.prompts;

import java.util.List;

/** What {@code prompts/list} shows of a prompt. */
public record PromptDescriptor(String name, String title, String description, List<Argument> arguments) {

    public PromptDescriptor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("prompt name must not be blank");
        }
        arguments = arguments == null ? List.of() : List.copyOf(arguments);
    }

    public static PromptDescriptor of(String name, String description, Argument... arguments) {
        return new PromptDescriptor(name, null, description, List.of(arguments));
    }

    public record Argument(String name, String description, boolean required) {
    }
}
