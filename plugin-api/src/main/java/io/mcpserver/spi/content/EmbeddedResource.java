package io.mcpserver.spi.content;

import java.util.Map;
import java.util.Objects;

/** A resource's contents inlined in a result or message. Build with {@link #of} or {@link #builder}. */
public final class EmbeddedResource implements Content {

    private final ResourceContents resource;
    private final Annotations annotations;
    private final Map<String, Object> meta;

    /** @deprecated use {@link #of} or {@link #builder}; kept so plugins built against 0.1 still link */
    @Deprecated
    public EmbeddedResource(ResourceContents resource, Annotations annotations) {
        this(builder(resource).annotations(annotations));
    }

    private EmbeddedResource(Builder b) {
        this.resource = Objects.requireNonNull(b.resource, "resource");
        this.annotations = b.annotations;
        this.meta = Values.meta(b.meta);
    }

    public static EmbeddedResource of(ResourceContents resource) {
        return builder(resource).build();
    }

    public static Builder builder(ResourceContents resource) {
        return new Builder(resource);
    }

    public Builder toBuilder() {
        return new Builder(resource).annotations(annotations).meta(meta);
    }

    public ResourceContents resource() {
        return resource;
    }

    @Override
    public Annotations annotations() {
        return annotations;
    }

    @Override
    public Map<String, Object> meta() {
        return meta;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmbeddedResource e && resource.equals(e.resource)
                && Objects.equals(annotations, e.annotations) && meta.equals(e.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(resource, annotations, meta);
    }

    @Override
    public String toString() {
        return "EmbeddedResource[resource=" + resource + ", annotations=" + annotations + ", meta=" + meta + "]";
    }

    public static final class Builder {
        private final ResourceContents resource;
        private Annotations annotations;
        private Map<String, ?> meta;

        private Builder(ResourceContents resource) {
            this.resource = resource;
        }

        public Builder annotations(Annotations annotations) {
            this.annotations = annotations;
            return this;
        }

        /** {@code _meta}: extra fields for clients that understand them. */
        public Builder meta(Map<String, ?> meta) {
            this.meta = meta;
            return this;
        }

        public EmbeddedResource build() {
            return new EmbeddedResource(this);
        }
    }
}
