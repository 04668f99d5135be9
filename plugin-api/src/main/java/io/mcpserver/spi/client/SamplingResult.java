package io.mcpserver.spi.client;

import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.Role;
import io.mcpserver.spi.content.TextContent;

/** The client's answer to a sampling request. */
public record SamplingResult(Role role, Content content, String model, String stopReason) {

    /** The text of the answer, or null when it is not text. */
    public String text() {
        return content instanceof TextContent t ? t.text() : null;
    }
}
