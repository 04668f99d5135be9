package io.mcpserver.spi.resources;

import io.mcpserver.spi.content.Annotations;
import io.mcpserver.spi.content.Icon;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@code resources/templates/list} shows of a template. Build with {@link #of} or {@link #builder}. */
public final class ResourceTemplateDescriptor {

    private final String uriTemplate;
    private final String name;
    private final String title;
    private final String description;
    private final String mimeType;
    private final Annotations annotations;
    private final List<Icon> icons;
    private final Map<String, Object> meta;

    /** @deprecated use {@link #of} or {@link #builder}; kept so plugins built against 0.1 still link */
    @Deprecated
    public ResourceTemplateDescriptor(String uriTemplate, String name, String title, String description,
                                      String mimeType, Annotations annotations) {
        this(builder(uriTemplate, name).title(title).description(description).mimeType(mimeType)
                .annotations(annotations));
    }

    private ResourceTemplateDescriptor(Builder b) {
        this.uriTemplate = Values.required(b.uriTemplate, "uriTemplate");
        this.name = Values.required(b.name, "template name");
        this.title = b.title;
        this.description = b.description;
        this.mimeType = b.mimeType;
        this.annotations = b.annotations;
        this.icons = Values.list(b.icons);
        this.meta = Values.meta(b.meta);
    }

    public static ResourceTemplateDescriptor of(String uriTemplate, String name, String description,
                                                String mimeType) {
        return builder(uriTemplate, name).description(description).mimeType(mimeType).build();
    }

    public static Builder builder(String uriTemplate, String name) {
        return new Builder(uriTemplate, name);
    }

    public Builder toBuilder() {
        return new Builder(uriTemplate, name).title(title).description(description).mimeType(mimeType)
                .annotations(annotations).icons(icons).meta(meta);
    }

    /** An RFC 6570 URI template such as {@code notes://note/{id}}. */
    public String uriTemplate() {
        return uriTemplate;
    }

    public String name() {
        return name;
    }

    /** Human-readable name, or null. */
    public String title() {
        return title;
    }

    /** Or null. */
    public String description() {
        return description;
    }

    /** Or null. */
    public String mimeType() {
        return mimeType;
    }

    /** Or null. */
    public Annotations annotations() {
        return annotations;
    }

    /** Icons; empty when none. */
    public List<Icon> icons() {
        return icons;
    }

    /** {@code _meta}; empty when none. */
    public Map<String, Object> meta() {
        return meta;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceTemplateDescriptor d && uriTemplate.equals(d.uriTemplate) && name.equals(d.name)
                && Objects.equals(title, d.title) && Objects.equals(description, d.description)
                && Objects.equals(mimeType, d.mimeType) && Objects.equals(annotations, d.annotations)
                && icons.equals(d.icons) && meta.equals(d.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uriTemplate, name, title, description, mimeType, annotations, icons, meta);
    }

    @Override
    public String toString() {
        return "ResourceTemplateDescriptor[uriTemplate=" + uriTemplate + ", name=" + name + ", title=" + title
                + ", description=" + description + ", mimeType=" + mimeType + ", annotations=" + annotations
                + ", icons=" + icons + ", meta=" + meta + "]";
    }

    public static final class Builder {
        private final String uriTemplate;
        private final String name;
        private String title;
        private String description;
        private String mimeType;
        private Annotations annotations;
        private List<Icon> icons;
        private Map<String, ?> meta;

        private Builder(String uriTemplate, String name) {
            this.uriTemplate = uriTemplate;
            this.name = name;
        }

        public Builder title(String title) {
            this.title = title;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        public Builder mimeType(String mimeType) {
            this.mimeType = mimeType;
            return this;
        }

        public Builder annotations(Annotations annotations) {
            this.annotations = annotations;
            return this;
        }

        public Builder icons(List<Icon> icons) {
            this.icons = icons;
            return this;
        }

        /** {@code _meta}: extra fields for clients that understand them. */
        public Builder meta(Map<String, ?> meta) {
            this.meta = meta;
            return this;
        }

        public ResourceTemplateDescriptor build() {
            return new ResourceTemplateDescriptor(this);
        }
    }
}
