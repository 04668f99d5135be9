package io.mcpserver.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A plugin's configuration section as plain values: strings, numbers, booleans, lists and nested
 * maps, exactly as written in YAML (environment and flag overrides applied).
 */
public record PluginConfig(Map<String, Object> values) {

    public PluginConfig {
        values = values == null ? Map.of() : Map.copyOf(values);
    }

    public static PluginConfig empty() {
        return new PluginConfig(Map.of());
    }

    public Optional<Object> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String string(String key, String defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : v.toString();
    }

    public long number(String key, long defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' must be a whole number, was '" + v + "'");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("'" + key + "' must be true or false, was '" + v + "'");
    }

    /** A byte size written as in the server's configuration ({@code 4096}, {@code 512KiB}, {@code 4MiB}). */
    public long size(String key, long defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return ConfigValues.parseSize(v.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + key + "' " + e.getMessage());
        }
    }

    /** A duration written as in the server's configuration ({@code 500ms}, {@code 30s}, {@code 5m}, {@code PT1H}). */
    public java.time.Duration duration(String key, java.time.Duration defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return ConfigValues.parseDuration(v.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + key + "' " + e.getMessage());
        }
    }

    /** A list of strings; a single scalar becomes a one-element list. */
    public List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        if (v instanceof Map<?, ?> m) { // YAML lists may arrive as {0: a, 1: b}: in index order, 2 before 10
            return m.entrySet().stream()
                    .sorted(java.util.Comparator.comparingLong(e -> index(String.valueOf(e.getKey()))))
                    .map(e -> String.valueOf(e.getValue())).toList();
        }
        return List.of(v.toString());
    }

    /** A list index as a map key ("0", "1", …); other keys sort after every index, in no promised order. */
    private static long index(String key) {
        try {
            return Long.parseLong(key.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    @SuppressWarnings("unchecked")
    public PluginConfig section(String key) {
        Object v = values.get(key);
        return v instanceof Map<?, ?> m ? new PluginConfig((Map<String, Object>) m) : empty();
    }
}
