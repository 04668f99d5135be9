package io.mcpserver.spi.content;

/** Audio; {@code data} is base64-encoded. */
public record AudioContent(String data, String mimeType, Annotations annotations) implements Content {
}
