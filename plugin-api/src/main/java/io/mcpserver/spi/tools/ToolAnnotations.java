package io.mcpserver.spi.tools;

/** Behaviour hints for clients; null means unspecified. Hints, not guarantees. */
public record ToolAnnotations(String title, Boolean readOnlyHint, Boolean destructiveHint, Boolean idempotentHint,
                              Boolean openWorldHint) {

    public static ToolAnnotations readOnly() {
        return new ToolAnnotations(null, true, false, true, false);
    }
}
