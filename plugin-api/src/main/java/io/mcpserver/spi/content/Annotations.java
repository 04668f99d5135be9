package io.mcpserver.spi.content;

import java.util.List;
import java.util.Objects;

/**
 * Hints for the client about a content block or resource. Build with {@link #builder()}.
 */
public final class Annotations {

    private final List<Role> audience;
    private final Double priority;
    private final String lastModified;

    /**
     * @param audience     who it is meant for: {@code user}, {@code assistant}, or both; null for unspecified
     * @param priority     0 (optional) to 1 (required); null for unspecified
     * @param lastModified ISO 8601 timestamp; null for unspecified
     * @deprecated use {@link #builder()}; kept so plugins built against 0.1 still link
     */
    @Deprecated
    public Annotations(List<Role> audience, Double priority, String lastModified) {
        this.audience = audience == null ? null : List.copyOf(audience);
        this.priority = priority;
        this.lastModified = lastModified;
    }

    public static Builder builder() {
        return new Builder();
    }

    @SuppressWarnings("deprecation")
    public Builder toBuilder() {
        return new Builder().audience(audience).priority(priority).lastModified(lastModified);
    }

    /** Who it is meant for; null when unspecified. */
    public List<Role> audience() {
        return audience;
    }

    /** 0 (optional) to 1 (required); null when unspecified. */
    public Double priority() {
        return priority;
    }

    /** ISO 8601 timestamp; null when unspecified. */
    public String lastModified() {
        return lastModified;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Annotations a && Objects.equals(audience, a.audience)
                && Objects.equals(priority, a.priority) && Objects.equals(lastModified, a.lastModified);
    }

    @Override
    public int hashCode() {
        return Objects.hash(audience, priority, lastModified);
    }

    @Override
    public String toString() {
        return "Annotations[audience=" + audience + ", priority=" + priority + ", lastModified=" + lastModified + "]";
    }

    public static final class Builder {
        private List<Role> audience;
        private Double priority;
        private String lastModified;

        private Builder() {
        }

        public Builder audience(List<Role> audience) {
            this.audience = audience;
            return this;
        }

        public Builder audience(Role... audience) {
            return audience(List.of(audience));
        }

        public Builder priority(Double priority) {
            this.priority = priority;
            return this;
        }

        public Builder lastModified(String lastModified) {
            this.lastModified = lastModified;
            return this;
        }

        @SuppressWarnings("deprecation")
        public Annotations build() {
            return new Annotations(audience, priority, lastModified);
        }
    }
}
