package io.mcpserver.spi.tools;

import io.mcpserver.spi.content.Content;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of a tool call. Build with the factories ({@link #text}, {@link #structured}, {@link #error}…) or
 * {@link #builder()}.
 */
public final class ToolResult {

    private static final ToolResult EMPTY = builder().build();

    private final List<Content> content;
    private final Map<String, Object> structuredContent;
    private final boolean isError;
    private final Map<String, Object> meta;

    /**
     * @param content           content blocks for the model
     * @param structuredContent a JSON object matching the tool's output schema, or null
     * @param isError           true when the tool failed; the content says why
     * @deprecated use {@link #builder()} or the factories; kept so plugins built against 0.1 still link
     */
    @Deprecated
    public ToolResult(List<Content> content, Map<String, Object> structuredContent, boolean isError) {
        this(builder().content(content).structuredContent(structuredContent).isError(isError));
    }

    private ToolResult(Builder b) {
        this.content = List.copyOf(b.content);
        this.structuredContent = Values.object(b.structuredContent);
        this.isError = b.isError;
        this.meta = Values.meta(b.meta);
    }

    /** No content at all (what a {@code void} tool method returns). */
    public static ToolResult empty() {
        return EMPTY;
    }

    public static ToolResult text(String text) {
        return builder().text(text).build();
    }

    public static ToolResult of(Content... content) {
        return builder().content(List.of(content)).build();
    }

    /** A structured result, with its JSON text as the content block for clients that ignore structure. */
    public static ToolResult structured(Map<String, ?> structured, String text) {
        return builder().text(text).structuredContent(structured).build();
    }

    /** A failed call: the model sees {@code message} and may try again differently. */
    public static ToolResult error(String message) {
        return builder().text(message).isError(true).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().content(content).structuredContent(structuredContent).isError(isError).meta(meta);
    }

    /** Content blocks for the model; may be empty. */
    public List<Content> content() {
        return content;
    }

    /** A JSON object matching the tool's output schema (values may be null), or null when there is none. */
    public Map<String, Object> structuredContent() {
        return structuredContent;
    }

    /** True when the tool failed; the content says why. */
    public boolean isError() {
        return isError;
    }

    /** {@code _meta} of the result; empty when none. */
    public Map<String, Object> meta() {
        return meta;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToolResult r && content.equals(r.content)
                && Objects.equals(structuredContent, r.structuredContent) && isError == r.isError
                && meta.equals(r.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(content, structuredContent, isError, meta);
    }

    @Override
    public String toString() {
        return "ToolResult[content=" + content + ", structuredContent=" + structuredContent + ", isError=" + isError
                + ", meta=" + meta + "]";
    }

    public static final class Builder {
        private final List<Content> content = new ArrayList<>();
        private Map<String, ?> structuredContent;
        private boolean isError;
        private Map<String, ?> meta;

        private Builder() {
        }

        /** Replaces the content blocks (null: none). */
        public Builder content(List<? extends Content> content) {
            this.content.clear();
            if (content != null) {
                content.forEach(this::addContent);
            }
            return this;
        }

        public Builder addContent(Content block) {
            content.add(Objects.requireNonNull(block, "content block"));
            return this;
        }

        /** Adds a text block. */
        public Builder text(String text) {
            return addContent(Content.text(text));
        }

        public Builder structuredContent(Map<String, ?> structuredContent) {
            this.structuredContent = structuredContent;
            return this;
        }

        public Builder isError(boolean isError) {
            this.isError = isError;
            return this;
        }

        /** {@code _meta}: extra fields for clients that understand them. */
        public Builder meta(Map<String, ?> meta) {
            this.meta = meta;
            return this;
        }

        public ToolResult build() {
            return new ToolResult(this);
        }
    }
}
