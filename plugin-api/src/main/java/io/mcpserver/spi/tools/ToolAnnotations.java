package io.mcpserver.spi.tools;

import java.util.Objects;

/**
 * Behaviour hints for clients; a null hint is unspecified and left out of {@code tools/list}, so the client applies
 * the protocol's default ({@code readOnlyHint: false}, {@code destructiveHint: true}, {@code idempotentHint: false},
 * {@code openWorldHint: true}). Hints, not guarantees. Build with {@link #builder()}.
 */
public final class ToolAnnotations {

    private final String title;
    private final Boolean readOnlyHint;
    private final Boolean destructiveHint;
    private final Boolean idempotentHint;
    private final Boolean openWorldHint;

    /** @deprecated use {@link #builder()}; kept so plugins built against 0.1 still link */
    @Deprecated
    public ToolAnnotations(String title, Boolean readOnlyHint, Boolean destructiveHint, Boolean idempotentHint,
                           Boolean openWorldHint) {
        this.title = title;
        this.readOnlyHint = readOnlyHint;
        this.destructiveHint = destructiveHint;
        this.idempotentHint = idempotentHint;
        this.openWorldHint = openWorldHint;
    }

    /** Read-only, idempotent, not destructive, closed world: a tool that only looks at local state. */
    public static ToolAnnotations readOnly() {
        return builder().readOnlyHint(true).destructiveHint(false).idempotentHint(true).openWorldHint(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().title(title).readOnlyHint(readOnlyHint).destructiveHint(destructiveHint)
                .idempotentHint(idempotentHint).openWorldHint(openWorldHint);
    }

    public String title() {
        return title;
    }

    public Boolean readOnlyHint() {
        return readOnlyHint;
    }

    public Boolean destructiveHint() {
        return destructiveHint;
    }

    public Boolean idempotentHint() {
        return idempotentHint;
    }

    public Boolean openWorldHint() {
        return openWorldHint;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToolAnnotations a && Objects.equals(title, a.title)
                && Objects.equals(readOnlyHint, a.readOnlyHint) && Objects.equals(destructiveHint, a.destructiveHint)
                && Objects.equals(idempotentHint, a.idempotentHint) && Objects.equals(openWorldHint, a.openWorldHint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(title, readOnlyHint, destructiveHint, idempotentHint, openWorldHint);
    }

    @Override
    public String toString() {
        return "ToolAnnotations[title=" + title + ", readOnlyHint=" + readOnlyHint + ", destructiveHint="
                + destructiveHint + ", idempotentHint=" + idempotentHint + ", openWorldHint=" + openWorldHint + "]";
    }

    public static final class Builder {
        private String title;
        private Boolean readOnlyHint;
        private Boolean destructiveHint;
        private Boolean idempotentHint;
        private Boolean openWorldHint;

        private Builder() {
        }

        public Builder title(String title) {
            this.title = title;
            return this;
        }

        public Builder readOnlyHint(Boolean hint) {
            this.readOnlyHint = hint;
            return this;
        }

        public Builder destructiveHint(Boolean hint) {
            this.destructiveHint = hint;
            return this;
        }

        public Builder idempotentHint(Boolean hint) {
            this.idempotentHint = hint;
            return this;
        }

        public Builder openWorldHint(Boolean hint) {
            this.openWorldHint = hint;
            return this;
        }

        @SuppressWarnings("deprecation")
        public ToolAnnotations build() {
            return new ToolAnnotations(title, readOnlyHint, destructiveHint, idempotentHint, openWorldHint);
        }
    }
}
