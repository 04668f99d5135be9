package io.mcpserver.spi;

import java.util.Objects;

/**
 * One key of a plugin's configuration section {@code plugins.<name>}, as the plugin declares it in
 * {@link McpPlugin#configKeys()}. The server refuses an unknown key or a value of the wrong type (at startup, on
 * reload and in {@code --check-config}, naming the plugin), fills in the declared default, and masks secret
 * values wherever it shows them.
 *
 * <pre>{@code
 * PluginConfigKey.builder("max-read-bytes", PluginConfigKey.Type.SIZE)
 *         .defaultValue("1MiB").description("largest file read_file returns").build()
 * }</pre>
 */
public final class PluginConfigKey {

    /** How a value is written; sizes and durations as everywhere in the configuration ({@link ConfigValues}). */
    public enum Type {
        /** any single value */
        STRING,
        /** {@code true} or {@code false} */
        BOOLEAN,
        /** a whole number */
        INTEGER,
        /** a byte size: {@code 4096}, {@code 512KiB}, {@code 4MiB} */
        SIZE,
        /** a duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code PT1H} */
        DURATION,
        /** a list of strings ({@code [a, b]}; a single value is a list of one) */
        LIST,
        /** a nested section whose keys the user chooses */
        SECTION
    }

    private final String name;
    private final Type type;
    private final String defaultValue;
    private final String description;
    private final boolean secret;

    private PluginConfigKey(Builder b) {
        this.name = b.name;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.description = b.description;
        this.secret = b.secret;
    }

    public static Builder builder(String name, Type type) {
        return new Builder(name, type);
    }

    /** The key within the plugin's section, e.g. {@code max-read-bytes}. */
    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    /** The default as it would be written in YAML ({@code 1MiB}, {@code [a, b]}), or null for none. */
    public String defaultValue() {
        return defaultValue;
    }

    /** One line for the reference and {@code --check-config}. */
    public String description() {
        return description;
    }

    /** Masked in {@code --check-config} output and in messages about a bad value. */
    public boolean secret() {
        return secret;
    }

    @Override
    public String toString() {
        return name + " (" + type.name().toLowerCase(java.util.Locale.ROOT) + (defaultValue == null ? ""
                : ", default " + (secret ? "******" : defaultValue)) + ")";
    }

    /** Builds a {@link PluginConfigKey}. */
    public static final class Builder {
        private final String name;
        private final Type type;
        private String defaultValue;
        private String description = "";
        private boolean secret;

        private Builder(String name, Type type) {
            if (name == null || name.isBlank() || name.contains(".")) {
                throw new IllegalArgumentException("a plugin config key is one non-blank name without '.', was '"
                        + name + "'");
            }
            this.name = name;
            this.type = Objects.requireNonNull(type, "type");
        }

        public Builder defaultValue(String value) {
            this.defaultValue = value;
            return this;
        }

        public Builder description(String text) {
            this.description = text == null ? "" : text;
            return this;
        }

        public Builder secret(boolean isSecret) {
            this.secret = isSecret;
            return this;
        }

        public PluginConfigKey build() {
            return new PluginConfigKey(this);
        }
    }
}
