package io.mcpserver.server.plugins;

import io.mcpserver.server.config.ConfigKeys;
import io.mcpserver.spi.ConfigValues;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.PluginConfigKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A plugin's declared configuration keys ({@code McpPlugin.configKeys()}) applied to its section: unknown keys and
 * values of the wrong type become problems named {@code plugins.<plugin>.<key>}, declared defaults are filled in,
 * and secret values are never repeated in a message. A plugin that declares no keys accepts any key.
 */
public final class PluginConfigSchema {

    /** Every plugin section has this key; the server reads it. */
    static final String ENABLED = "enabled";

    private final String plugin;
    private final Map<String, PluginConfigKey> keys = new LinkedHashMap<>();

    /** @throws IllegalArgumentException when the plugin declares a key twice or a default of the wrong type */
    public PluginConfigSchema(String plugin, List<PluginConfigKey> declared) {
        this.plugin = plugin;
        for (PluginConfigKey key : declared == null ? List.<PluginConfigKey>of() : declared) {
            if (key == null) {
                continue;
            }
            if (key.name().equals(ENABLED) || keys.put(key.name(), key) != null) {
                throw new IllegalArgumentException("configKeys() declares '" + key.name() + "' twice (or 'enabled', "
                        + "which every plugin has)");
            }
            if (key.defaultValue() != null) {
                String problem = checkValue(key, defaultAsValue(key));
                if (problem != null) {
                    throw new IllegalArgumentException("configKeys(): the default of '" + key.name() + "' " + problem);
                }
            }
        }
    }

    /** The keys the plugin declares, in its order. */
    public List<PluginConfigKey> keys() {
        return List.copyOf(keys.values());
    }

    /** Whether the plugin declared its keys (else anything goes). */
    public boolean declared() {
        return !keys.isEmpty();
    }

    public boolean isSecret(String key) {
        PluginConfigKey k = keys.get(key);
        return k != null && k.secret();
    }

    /** Problems with {@code config}, each naming the full key; empty when it is valid. */
    public List<String> problems(PluginConfig config) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Object> e : config.values().entrySet()) {
            String name = e.getKey();
            String full = "plugins." + plugin + "." + name;
            if (name.equals(ENABLED)) {
                Object v = e.getValue();
                if (v != null && !"true".equalsIgnoreCase(v.toString()) && !"false".equalsIgnoreCase(v.toString())) {
                    problems.add(full + ": must be true or false, was '" + v + "'");
                }
                continue;
            }
            PluginConfigKey key = keys.get(name);
            if (key == null) {
                if (declared()) {
                    Set<String> known = new TreeSet<>(keys.keySet());
                    known.add(ENABLED);
                    problems.add(full + ": unknown key of plugin " + plugin + ConfigKeys.closest(name, known)
                            .map(s -> "; did you mean plugins." + plugin + "." + s + "?")
                            .orElse(" (it has " + String.join(", ", known) + ")"));
                }
                continue;
            }
            String problem = checkValue(key, e.getValue());
            if (problem != null) {
                problems.add(full + ": " + problem);
            }
        }
        return problems;
    }

    /** The section with every declared default filled in where nothing is set. */
    public PluginConfig withDefaults(PluginConfig config) {
        Map<String, Object> values = new LinkedHashMap<>(config.values());
        for (PluginConfigKey key : keys.values()) {
            if (key.defaultValue() != null && values.get(key.name()) == null) {
                values.put(key.name(), defaultAsValue(key));
            }
        }
        return new PluginConfig(values);
    }

    /** What is wrong with {@code value} for {@code key}, or null; a secret value is not repeated. */
    private static String checkValue(PluginConfigKey key, Object value) {
        if (value == null) {
            return null;
        }
        String shown = key.secret() ? "******" : String.valueOf(value);
        boolean scalar = !(value instanceof Map<?, ?>) && !(value instanceof List<?>);
        String text = String.valueOf(value).trim();
        return switch (key.type()) {
            case STRING -> scalar ? null : "must be a single value, was a " + (value instanceof Map ? "section" : "list");
            case BOOLEAN -> scalar && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) ? null
                    : "must be true or false, was '" + shown + "'";
            case INTEGER -> {
                try {
                    Long.parseLong(text);
                    yield scalar ? null : "must be a whole number, was '" + shown + "'";
                } catch (NumberFormatException ex) {
                    yield "must be a whole number, was '" + shown + "'";
                }
            }
            case SIZE -> {
                try {
                    ConfigValues.parseSize(text);
                    yield scalar ? null : "must be a size such as 4096, 512KiB or 4MiB, was '" + shown + "'";
                } catch (IllegalArgumentException ex) {
                    yield "must be a size such as 4096, 512KiB or 4MiB, was '" + shown + "'";
                }
            }
            case DURATION -> {
                try {
                    yield scalar && !ConfigValues.parseDuration(text).isNegative() ? null
                            : "must be a duration such as 30s, 5m or PT1H, was '" + shown + "'";
                } catch (IllegalArgumentException ex) {
                    yield "must be a duration such as 30s, 5m or PT1H, was '" + shown + "'";
                }
            }
            case LIST -> value instanceof Map<?, ?> ? "must be a list, was a section" : null;
            case SECTION -> value instanceof Map<?, ?> || text.isEmpty() ? null
                    : "must be a section of keys, was '" + shown + "'";
        };
    }

    /** A declared default as the value YAML would have given: a list for {@code [a, b]}, else the text. */
    private static Object defaultAsValue(PluginConfigKey key) {
        String d = key.defaultValue().strip();
        if (key.type() == PluginConfigKey.Type.LIST && d.startsWith("[") && d.endsWith("]")) {
            String inner = d.substring(1, d.length() - 1).strip();
            return inner.isEmpty() ? List.of() : List.of(inner.split("\\s*,\\s*"));
        }
        if (key.type() == PluginConfigKey.Type.SECTION && d.equals("{}")) {
            return Map.of();
        }
        return d;
    }
}
