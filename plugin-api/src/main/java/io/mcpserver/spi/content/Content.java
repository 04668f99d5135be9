package io.mcpserver.spi.content;

import java.util.Map;

/**
 * A content block of a tool result, prompt message or sampling message. Each kind is built with its
 * {@code builder(…)} (or the short factories here); the kinds are closed, the fields of each may grow.
 */
public sealed interface Content permits TextContent, ImageContent, AudioContent, ResourceLink, EmbeddedResource {

    /** Optional annotations (audience, priority, lastModified); {@code null} when none. */
    Annotations annotations();

    /** {@code _meta} of the block; empty when none. */
    Map<String, Object> meta();

    static TextContent text(String text) {
        return TextContent.builder(text).build();
    }

    static ImageContent image(String base64Data, String mimeType) {
        return ImageContent.builder(base64Data, mimeType).build();
    }

    static AudioContent audio(String base64Data, String mimeType) {
        return AudioContent.builder(base64Data, mimeType).build();
    }
}
