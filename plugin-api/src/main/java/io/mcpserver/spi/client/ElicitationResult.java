package io.mcpserver.spi.client;

import java.util.Map;

/**
 * The user's answer to an elicitation.
 *
 * @param action  {@code accept}, {@code decline} or {@code cancel}
 * @param content the submitted values when accepted, else empty
 */
public record ElicitationResult(String action, Map<String, Object> content) {

    public ElicitationResult {
        content = content == null ? Map.of() : content;
    }

    public boolean accepted() {
        return "accept".equals(action);
    }
}
