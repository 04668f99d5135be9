package io.mcpserver.spi.content;

import java.util.Map;
import java.util.Objects;

/**
 * The contents of a resource: text or a base64 blob. Build with {@link #text}, {@link #blob} or their builders.
 */
public sealed interface ResourceContents permits ResourceContents.Text, ResourceContents.Blob {

    String uri();

    /** The MIME type, or null when unknown. */
    String mimeType();

    /** {@code _meta}; empty when none. */
    Map<String, Object> meta();

    static Text text(String uri, String mimeType, String text) {
        return Text.builder(uri, text).mimeType(mimeType).build();
    }

    static Blob blob(String uri, String mimeType, String base64) {
        return Blob.builder(uri, base64).mimeType(mimeType).build();
    }

    /** Text contents. */
    final class Text implements ResourceContents {
        private final String uri;
        private final String mimeType;
        private final String text;
        private final Map<String, Object> meta;

        /** @deprecated use {@link ResourceContents#text} or {@link #builder}; kept so plugins built against 0.1 link */
        @Deprecated
        public Text(String uri, String mimeType, String text) {
            this(builder(uri, text).mimeType(mimeType));
        }

        private Text(Builder b) {
            this.uri = Values.required(b.uri, "resource uri");
            this.mimeType = b.mimeType;
            this.text = Objects.requireNonNull(b.text, "text");
            this.meta = Values.meta(b.meta);
        }

        public static Builder builder(String uri, String text) {
            return new Builder(uri, text);
        }

        public Builder toBuilder() {
            return new Builder(uri, text).mimeType(mimeType).meta(meta);
        }

        @Override
        public String uri() {
            return uri;
        }

        @Override
        public String mimeType() {
            return mimeType;
        }

        public String text() {
            return text;
        }

        @Override
        public Map<String, Object> meta() {
            return meta;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Text t && uri.equals(t.uri) && Objects.equals(mimeType, t.mimeType)
                    && text.equals(t.text) && meta.equals(t.meta);
        }

        @Override
        public int hashCode() {
            return Objects.hash(uri, mimeType, text, meta);
        }

        @Override
        public String toString() {
            return "Text[uri=" + uri + ", mimeType=" + mimeType + ", text=" + text + ", meta=" + meta + "]";
        }

        public static final class Builder {
            private final String uri;
            private final String text;
            private String mimeType;
            private Map<String, ?> meta;

            private Builder(String uri, String text) {
                this.uri = uri;
                this.text = text;
            }

            public Builder mimeType(String mimeType) {
                this.mimeType = mimeType;
                return this;
            }

            public Builder meta(Map<String, ?> meta) {
                this.meta = meta;
                return this;
            }

            public Text build() {
                return new Text(this);
            }
        }
    }

    /** Binary contents; {@code blob} is base64-encoded. */
    final class Blob implements ResourceContents {
        private final String uri;
        private final String mimeType;
        private final String blob;
        private final Map<String, Object> meta;

        /** @deprecated use {@link ResourceContents#blob} or {@link #builder}; kept so plugins built against 0.1 link */
        @Deprecated
        public Blob(String uri, String mimeType, String blob) {
            this(builder(uri, blob).mimeType(mimeType));
        }

        private Blob(Builder b) {
            this.uri = Values.required(b.uri, "resource uri");
            this.mimeType = b.mimeType;
            this.blob = Objects.requireNonNull(b.blob, "blob");
            this.meta = Values.meta(b.meta);
        }

        public static Builder builder(String uri, String base64) {
            return new Builder(uri, base64);
        }

        public Builder toBuilder() {
            return new Builder(uri, blob).mimeType(mimeType).meta(meta);
        }

        @Override
        public String uri() {
            return uri;
        }

        @Override
        public String mimeType() {
            return mimeType;
        }

        /** Base64-encoded bytes. */
        public String blob() {
            return blob;
        }

        @Override
        public Map<String, Object> meta() {
            return meta;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Blob b && uri.equals(b.uri) && Objects.equals(mimeType, b.mimeType)
                    && blob.equals(b.blob) && meta.equals(b.meta);
        }

        @Override
        public int hashCode() {
            return Objects.hash(uri, mimeType, blob, meta);
        }

        @Override
        public String toString() {
            return "Blob[uri=" + uri + ", mimeType=" + mimeType + ", " + blob.length() + " base64 characters, meta="
                    + meta + "]";
        }

        public static final class Builder {
            private final String uri;
            private final String blob;
            private String mimeType;
            private Map<String, ?> meta;

            private Builder(String uri, String blob) {
                this.uri = uri;
                this.blob = blob;
            }

            public Builder mimeType(String mimeType) {
                this.mimeType = mimeType;
                return this;
            }

            public Builder meta(Map<String, ?> meta) {
                this.meta = meta;
                return this;
            }

            public Blob build() {
                return new Blob(this);
            }
        }
    }
}
