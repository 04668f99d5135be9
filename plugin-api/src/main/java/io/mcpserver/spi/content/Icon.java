package io.mcpserver.spi.content;

import java.util.List;
import java.util.Objects;

/**
 * An icon a client may show for a tool, resource, template or prompt. Build with {@link #of} or {@link #builder}.
 */
public final class Icon {

    private final String src;
    private final String mimeType;
    private final List<String> sizes;
    private final String theme;

    private Icon(Builder b) {
        this.src = Values.required(b.src, "icon src");
        this.mimeType = b.mimeType;
        this.sizes = Values.list(b.sizes);
        this.theme = b.theme;
    }

    /** An icon at {@code src}: an {@code https:} URL or a {@code data:} URI. */
    public static Icon of(String src) {
        return builder(src).build();
    }

    public static Builder builder(String src) {
        return new Builder(src);
    }

    public Builder toBuilder() {
        return new Builder(src).mimeType(mimeType).sizes(sizes).theme(theme);
    }

    public String src() {
        return src;
    }

    /** MIME type override, or null. */
    public String mimeType() {
        return mimeType;
    }

    /** Sizes such as {@code 48x48} or {@code any}; empty when unspecified. */
    public List<String> sizes() {
        return sizes;
    }

    /** {@code light} or {@code dark}: the background the icon is meant for; null when unspecified. */
    public String theme() {
        return theme;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icon i && src.equals(i.src) && Objects.equals(mimeType, i.mimeType)
                && sizes.equals(i.sizes) && Objects.equals(theme, i.theme);
    }

    @Override
    public int hashCode() {
        return Objects.hash(src, mimeType, sizes, theme);
    }

    @Override
    public String toString() {
        return "Icon[src=" + src + ", mimeType=" + mimeType + ", sizes=" + sizes + ", theme=" + theme + "]";
    }

    public static final class Builder {
        private final String src;
        private String mimeType;
        private List<String> sizes;
        private String theme;

        private Builder(String src) {
            this.src = src;
        }

        public Builder mimeType(String mimeType) {
            this.mimeType = mimeType;
            return this;
        }

        public Builder sizes(List<String> sizes) {
            this.sizes = sizes;
            return this;
        }

        public Builder theme(String theme) {
            this.theme = theme;
            return this;
        }

        public Icon build() {
            return new Icon(this);
        }
    }
}
