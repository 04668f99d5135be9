package io.mcpserver.spi.content;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A link to a resource the client may read with {@code resources/read}. Build with {@link #of} or {@link #builder}. */
public final class ResourceLink implements Content {

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
    public ResourceLink(String uri, String name, String title, String description, String mimeType, Long size,
                        Annotations annotations) {
        this(builder(uri, name).title(title).description(description).mimeType(mimeType).size(size)
                .annotations(annotations));
    }

    private ResourceLink(Builder b) {
        this.uri = Values.required(b.uri, "resource link uri");
        this.name = Values.required(b.name, "resource link name");
        this.title = b.title;
        this.description = b.description;
        this.mimeType = b.mimeType;
        this.size = b.size;
        this.annotations = b.annotations;
        this.icons = Values.list(b.icons);
        this.meta = Values.meta(b.meta);
    }

    public static ResourceLink of(String uri, String name) {
        return builder(uri, name).build();
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

    @Override
    public Annotations annotations() {
        return annotations;
    }

    /** Icons; empty when none. */
    public List<Icon> icons() {
        return icons;
    }

    @Override
    public Map<String, Object> meta() {
        return meta;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceLink l && uri.equals(l.uri) && name.equals(l.name) && Objects.equals(title, l.title)
                && Objects.equals(description, l.description) && Objects.equals(mimeType, l.mimeType)
                && Objects.equals(size, l.size) && Objects.equals(annotations, l.annotations)
                && icons.equals(l.icons) && meta.equals(l.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uri, name, title, description, mimeType, size, annotations, icons, meta);
    }

    @Override
    public String toString() {
        return "ResourceLink[uri=" + uri + ", name=" + name + ", title=" + title + ", description=" + description
                + ", mimeType=" + mimeType + ", size=" + size + ", annotations=" + annotations + ", icons=" + icons
                + ", meta=" + meta + "]";
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

        public ResourceLink build() {
            return new ResourceLink(this);
        }
    }
}
