package io.mcpserver.spi.resources;

import io.mcpserver.spi.content.Annotations;

/** What {@code resources/list} shows of a resource. Only {@code uri} and {@code name} are required. */
public record ResourceDescriptor(String uri, String name, String title, String description, String mimeType,
                                 Long size, Annotations annotations) {

    public ResourceDescriptor {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("resource uri must not be blank");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("resource name must not be blank");
        }
    }

    public static ResourceDescriptor of(String uri, String name, String description, String mimeType) {
        return new ResourceDescriptor(uri, name, null, description, mimeType, null, null);
    }
}
