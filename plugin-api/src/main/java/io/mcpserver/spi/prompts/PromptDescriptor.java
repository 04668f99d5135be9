package io.mcpserver.spi.prompts;

import io.mcpserver.spi.content.Icon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@code prompts/list} shows of a prompt. Build with {@link #of} or {@link #builder}. */
public final class PromptDescriptor {

    private final String name;
    private final String title;
    private final String description;
    private final List<Argument> arguments;
    private final List<Icon> icons;
    private final Map<String, Object> meta;

    /** @deprecated use {@link #of} or {@link #builder}; kept so plugins built against 0.1 still link */
    @Deprecated
    public PromptDescriptor(String name, String title, String description, List<Argument> arguments) {
        this(builder(name).title(title).description(description).arguments(arguments));
    }

    private PromptDescriptor(Builder b) {
        this.name = Values.required(b.name, "prompt name");
        this.title = b.title;
        this.description = b.description;
        this.arguments = List.copyOf(b.arguments);
        this.icons = Values.list(b.icons);
        this.meta = Values.meta(b.meta);
    }

    public static PromptDescriptor of(String name, String description, Argument... arguments) {
        return builder(name).description(description).arguments(List.of(arguments)).build();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        return new Builder(name).title(title).description(description).arguments(arguments).icons(icons).meta(meta);
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

    /** The arguments, in order; empty when none. */
    public List<Argument> arguments() {
        return arguments;
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
        return o instanceof PromptDescriptor d && name.equals(d.name) && Objects.equals(title, d.title)
                && Objects.equals(description, d.description) && arguments.equals(d.arguments)
                && icons.equals(d.icons) && meta.equals(d.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, title, description, arguments, icons, meta);
    }

    @Override
    public String toString() {
        return "PromptDescriptor[name=" + name + ", title=" + title + ", description=" + description
                + ", arguments=" + arguments + ", icons=" + icons + ", meta=" + meta + "]";
    }

    public static final class Builder {
        private final String name;
        private String title;
        private String description;
        private final List<Argument> arguments = new ArrayList<>();
        private List<Icon> icons;
        private Map<String, ?> meta;

        private Builder(String name) {
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

        /** Replaces the arguments (null: none). */
        public Builder arguments(List<Argument> arguments) {
            this.arguments.clear();
            if (arguments != null) {
                arguments.forEach(this::argument);
            }
            return this;
        }

        public Builder argument(Argument argument) {
            arguments.add(Objects.requireNonNull(argument, "argument"));
            return this;
        }

        /** Adds an argument. */
        public Builder argument(String name, String description, boolean required) {
            return argument(Argument.of(name, description, required));
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

        public PromptDescriptor build() {
            return new PromptDescriptor(this);
        }
    }

    /** One argument of a prompt; arguments are strings. Build with {@link #of} or {@link #builder}. */
    public static final class Argument {
        private final String name;
        private final String title;
        private final String description;
        private final boolean required;

        /** @deprecated use {@link #of} or {@link #builder}; kept so plugins built against 0.1 still link */
        @Deprecated
        public Argument(String name, String description, boolean required) {
            this(builder(name).description(description).required(required));
        }

        private Argument(Builder b) {
            this.name = Values.required(b.name, "prompt argument name");
            this.title = b.title;
            this.description = b.description;
            this.required = b.required;
        }

        public static Argument of(String name, String description, boolean required) {
            return builder(name).description(description).required(required).build();
        }

        public static Builder builder(String name) {
            return new Builder(name);
        }

        public Builder toBuilder() {
            return new Builder(name).title(title).description(description).required(required);
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

        public boolean required() {
            return required;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Argument a && name.equals(a.name) && Objects.equals(title, a.title)
                    && Objects.equals(description, a.description) && required == a.required;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, title, description, required);
        }

        @Override
        public String toString() {
            return "Argument[name=" + name + ", title=" + title + ", description=" + description + ", required="
                    + required + "]";
        }

        public static final class Builder {
            private final String name;
            private String title;
            private String description;
            private boolean required;

            private Builder(String name) {
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

            /** Whether {@code prompts/get} must supply it; false unless set. */
            public Builder required(boolean required) {
                this.required = required;
                return this;
            }

            public Argument build() {
                return new Argument(this);
            }
        }
    }
}
