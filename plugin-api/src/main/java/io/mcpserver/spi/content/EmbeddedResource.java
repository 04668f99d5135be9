package io.mcpserver.spi.content;

/** A resource's contents inlined in a result or message. */
public record EmbeddedResource(ResourceContents resource, Annotations annotations) implements Content {

    public static EmbeddedResource of(ResourceContents resource) {
        return new EmbeddedResource(resource, null);
    }
}
