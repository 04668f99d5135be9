package io.mcpserver.spi.content;

import java.util.Map;
import java.util.Objects;

/** A text block. Build with {@link Content#text} or {@link #builder}. */
public final class TextContent implements Content {

    private final String text;
    private final Annotations annotations;
    private final Map<String, Object> meta;

    /** @deprecated use {@link Content#text} or {@link #builder}; kept so plugins built against 0.1 still link */
    @Deprecated
    public TextContent(String text, Annotations annotations) {
        this(builder(text).annotations(annotations));
    }

    private TextContent(Builder b) {
        this.text = Objects.requireNonNull(b.text, "text");
        this.annotations = b.annotations;
        this.meta = Values.meta(b.meta);
    }

    public static Builder builder(String text) {
        return new Builder(text);
    }

    public Builder toBuilder() {
        return new Builder(text).annotations(annotations).meta(meta);
    }

    public String text() {
        return text;
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
        return o instanceof TextContent t && text.equals(t.text) && Objects.equals(annotations, t.annotations)
                && meta.equals(t.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, annotations, meta);
    }

    @Override
    public String toString() {
        return "TextContent[text=" + text + ", annotations=" + annotations + ", meta=" + meta + "]";
    }

    public static final class Builder {
        private final String text;
        private Annotations annotations;
        private Map<String, ?> meta;

        private Builder(String text) {
            this.text = text;
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

        public TextContent build() {
            return new TextContent(this);
        }
    }
}
