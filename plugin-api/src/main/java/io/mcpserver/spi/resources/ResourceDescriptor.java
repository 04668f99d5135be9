package io.mcpserver.spi.resources;

import io.mcpserver.spi.content.Annotations;
import io.mcpserver.spi.content.Icon;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code resources/list} shows of a resource. Only {@code uri} and {@code name} are required. Build with
 * {@link #of} or {@link #builder}.
 */
public final class ResourceDescriptor {

    private final String uri;
    private final String name;
    private final String title;
    private final String description;
    private final String mimeType;
    private final Long size;
    private final Annotations annotations;
    private final List<Icon> icons;
    private final Map<String, Object> meta;

    /** @deprecated use {@link #of} or {@link #builder}; kept so plugins built against 0.1 still link */
    @Deprecated
    public ResourceDescriptor(String uri, String name, String title, String description, String mimeType,
                              Long size, Annotations annotations) {
        this(builder(uri, name).title(title).description(description).mimeType(mimeType).size(size)
                .annotations(annotations));
    }

    private ResourceDescriptor(Builder b) {
        this.uri = Values.required(b.uri, "resource uri");
        this.name = Values.required(b.name, "resource name");
        this.title = b.title;
        this.description = b.description;
        this.mimeType = b.mimeType;
        this.size = b.size;
        this.annotations = b.annotations;
        this.icons = Values.list(b.icons);
        this.meta = Values.meta(b.meta);
    }

    public static ResourceDescriptor of(String uri, String name, String description, String mimeType) {
        return builder(uri, name).description(description).mimeType(mimeType).build();
    }

    public static Builder builder(String uri, String name) {
        return new Builder(uri, name);
    }

    public Builder toBuilder() {
        return new Builder(uri, name).title(title).description(description).mimeType(mimeType).size(size)
                .annotations(annotations).icons(icons).meta(meta);
    }

    public String uri() {
        return uri;
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

    /** Size in bytes, or null when unknown. */
    public Long size() {
        return size;
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
        return o instanceof ResourceDescriptor d && uri.equals(d.uri) && name.equals(d.name)
                && Objects.equals(title, d.title) && Objects.equals(description, d.description)
                && Objects.equals(mimeType, d.mimeType) && Objects.equals(size, d.size)
                && Objects.equals(annotations, d.annotations) && icons.equals(d.icons) && meta.equals(d.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uri, name, title, description, mimeType, size, annotations, icons, meta);
    }

    @Override
    public String toString() {
        return "ResourceDescriptor[uri=" + uri + ", name=" + name + ", title=" + title + ", description="
                + description + ", mimeType=" + mimeType + ", size=" + size + ", annotations=" + annotations
                + ", icons=" + icons + ", meta=" + meta + "]";
    }

    public static final class Builder {
        private final String uri;
        private final String name;
        private String title;
        private String description;
        private String mimeType;
        private Long size;
        private Annotations annotations;
        private List<Icon> icons;
        private Map<String, ?> meta;

        private Builder(String uri, String name) {
            this.uri = uri;
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

        public Builder size(Long size) {
            this.size = size;
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

        public ResourceDescriptor build() {
            return new ResourceDescriptor(this);
        }
    }
}
