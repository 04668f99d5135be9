package io.mcpserver.spi.content;

/** A link to a resource the client may read with {@code resources/read}. */
public record ResourceLink(String uri, String name, String title, String description, String mimeType, Long size,
                           Annotations annotations) implements Content {

    public static ResourceLink of(String uri, String name) {
        return new ResourceLink(uri, name, null, null, null, null, null);
    }
}
