package io.mcpserver.spi.content;

/** A content block of a tool result, prompt message or sampling message. */
public sealed interface Content permits TextContent, ImageContent, AudioContent, ResourceLink, EmbeddedResource {

    /** Optional annotations (audience, priority, lastModified); {@code null} when none. */
    Annotations annotations();

    static TextContent text(String text) {
        return new TextContent(text, null);
    }

    static ImageContent image(String base64Data, String mimeType) {
        return new ImageContent(base64Data, mimeType, null);
    }

    static AudioContent audio(String base64Data, String mimeType) {
        return new AudioContent(base64Data, mimeType, null);
    }
}
