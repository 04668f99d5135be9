package io.mcpserver.spi.resources;

import io.mcpserver.spi.content.Annotations;

/** What {@code resources/templates/list} shows of a template. */
public record ResourceTemplateDescriptor(String uriTemplate, String name, String title, String description,
                                         String mimeType, Annotations annotations) {

    public ResourceTemplateDescriptor {
        if (uriTemplate == null || uriTemplate.isBlank()) {
            throw new IllegalArgumentException("uriTemplate must not be blank");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("template name must not be blank");
        }
    }

    public static ResourceTemplateDescriptor of(String uriTemplate, String name, String description,
                                                String mimeType) {
        return new ResourceTemplateDescriptor(uriTemplate, name, null, description, mimeType, null);
    }
}
