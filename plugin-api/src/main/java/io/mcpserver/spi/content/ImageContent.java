package io.mcpserver.spi.content;

import java.util.Map;
import java.util.Objects;

/** An image; {@code data} is base64-encoded. Build with {@link Content#image} or {@link #builder}. */
public final class ImageContent implements Content {

    private final String data;
    private final String mimeType;
    private final Annotations annotations;
    private final Map<String, Object> meta;

    /** @deprecated use {@link Content#image} or {@link #builder}; kept so plugins built against 0.1 still link */
    @Deprecated
    public ImageContent(String data, String mimeType, Annotations annotations) {
        this(builder(data, mimeType).annotations(annotations));
    }

    private ImageContent(Builder b) {
        this.data = Objects.requireNonNull(b.data, "data");
        this.mimeType = Values.required(b.mimeType, "image mimeType");
        this.annotations = b.annotations;
        this.meta = Values.meta(b.meta);
    }

    public static Builder builder(String base64Data, String mimeType) {
        return new Builder(base64Data, mimeType);
    }

    public Builder toBuilder() {
        return new Builder(data, mimeType).annotations(annotations).meta(meta);
    }

    /** Base64-encoded bytes. */
    public String data() {
        return data;
    }

    public String mimeType() {
        return mimeType;
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
        return o instanceof ImageContent c && data.equals(c.data) && mimeType.equals(c.mimeType)
                && Objects.equals(annotations, c.annotations) && meta.equals(c.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(data, mimeType, annotations, meta);
    }

    @Override
    public String toString() {
        return "ImageContent[mimeType=" + mimeType + ", " + data.length() + " base64 characters, annotations="
                + annotations + ", meta=" + meta + "]";
    }

    public static final class Builder {
        private final String data;
        private final String mimeType;
        private Annotations annotations;
        private Map<String, ?> meta;

        private Builder(String data, String mimeType) {
            this.data = data;
            this.mimeType = mimeType;
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

        public ImageContent build() {
            return new ImageContent(this);
        }
    }
}
