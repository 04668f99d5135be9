package io.mcpserver.spi.content;

public record TextContent(String text, Annotations annotations) implements Content {
}
