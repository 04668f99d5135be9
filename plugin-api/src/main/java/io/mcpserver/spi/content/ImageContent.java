package io.mcpserver.spi.content;

/** An image; {@code data} is base64-encoded. */
public record ImageContent(String data, String mimeType, Annotations annotations) implements Content {
}
