package io.mcpserver.spi.completion;

/**
 * What a completion provider completes: a prompt by name or a resource template by its URI template.
 */
public record CompletionRef(Kind kind, String name) {

    public enum Kind { PROMPT, RESOURCE_TEMPLATE }

    public static CompletionRef prompt(String name) {
        return new CompletionRef(Kind.PROMPT, name);
    }

    public static CompletionRef resourceTemplate(String uriTemplate) {
        return new CompletionRef(Kind.RESOURCE_TEMPLATE, uriTemplate);
    }
}
