package io.mcpserver.server.config;

import io.helidon.config.Config;
import io.mcpserver.spi.ConfigValues;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads typed values from the Helidon config tree, collecting every problem (key and reason) instead
 * of stopping at the first, so one run of {@code --check-config} shows them all. Every key it reads must be
 * declared in {@link ConfigKeys}, and its default comes from there (parsed like a value the user wrote);
 * only a default derived from another key is passed in by the caller.
 */
public final class ConfigReader {

    private final Config root;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> read = new java.util.HashSet<>();

    public ConfigReader(Config root) {
        this.root = root;
    }

    public Config root() {
        return root;
    }

    public List<String> problems() {
        return problems;
    }

    public void problem(String key, String reason) {
        problems.add(key + ": " + reason);
    }

    /** Throws when any read found a problem. */
    public void check() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    public boolean exists(String key) {
        ConfigKeys.declared(key);
        read.add(key);
        return root.get(key).exists();
    }

    /** Keys read so far (declared ones and the children of declared maps), for the test that none is dead. */
    Set<String> keysRead() {
        return Set.copyOf(read);
    }

    /** The value set for {@code key}, or null; the key must be declared. */
    private String value(String key) {
        ConfigKeys.declared(key);
        read.add(key);
        return root.get(key).asString().orElse(null);
    }

    /**
     * The default declared for {@code key}; a key without a literal default (none, or derived from another
     * key) must be read with an explicit fallback instead.
     */
    private static String declaredDefault(String key) {
        ConfigKey declared = ConfigKeys.declared(key);
        if (declared.defaultValue() == null) {
            throw new IllegalStateException(key + " declares no literal default: read it with an explicit fallback");
        }
        return declared.defaultValue();
    }

    /** For keys whose default is derived at read time: the declaration must not also carry a literal one. */
    private static void noDeclaredDefault(String key) {
        ConfigKey declared = ConfigKeys.declared(key);
        if (declared.defaultValue() != null) {
            throw new IllegalStateException(key + " declares the default '" + declared.defaultValue()
                    + "': read it without a fallback, so that the default lives in one place");
        }
    }

    /** A string with the declared default (null when the declaration says "none"). */
    public String string(String key) {
        String v = value(key);
        return v != null ? v : ConfigKeys.declared(key).defaultValue();
    }

    /** A string whose default is derived from another key (or from the environment). */
    public String string(String key, String fallback) {
        noDeclaredDefault(key);
        String v = value(key);
        return v != null ? v : fallback;
    }

    /** One of the declared choices, lower case. */
    public String choice(String key) {
        ConfigKey declared = ConfigKeys.declared(key);
        String v = value(key);
        if (v == null) {
            return declaredDefault(key);
        }
        String normalized = v.trim().toLowerCase(Locale.ROOT);
        if (!declared.choices().contains(normalized)) {
            problem(key, "must be one of " + String.join(", ", declared.choices()) + ", was '" + v + "'");
            return declaredDefault(key);
        }
        return normalized;
    }

    public boolean bool(String key) {
        return bool(value(key), key, Boolean.parseBoolean(declaredDefault(key)));
    }

    public boolean bool(String key, boolean fallback) {
        noDeclaredDefault(key);
        return bool(value(key), key, fallback);
    }

    private boolean bool(String v, String key, boolean fallback) {
        if (v == null) {
            return fallback;
        }
        Boolean b = parseBool(v);
        if (b == null) {
            problem(key, "must be true or false, was '" + v + "'");
            return fallback;
        }
        return b;
    }

    private static Boolean parseBool(String v) {
        return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false") ? Boolean.parseBoolean(v) : null;
    }

    /** A whole number within the declared range (a port: 0 to 65535). */
    public int integer(String key) {
        return integer(key, Integer.parseInt(declaredDefault(key)), ConfigKeys.declared(key));
    }

    /** A whole number whose default is derived from another key. */
    public int integer(String key, int fallback) {
        noDeclaredDefault(key);
        return integer(key, fallback, ConfigKeys.declared(key));
    }

    private int integer(String key, int fallback, ConfigKey declared) {
        String v = value(key);
        if (v == null) {
            return fallback;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < declared.min() || i > declared.max()) {
                problem(key, "must be between " + declared.min() + " and " + declared.max() + ", was " + i);
                return fallback;
            }
            return i;
        } catch (NumberFormatException e) {
            problem(key, "must be a whole number, was '" + v + "'");
            return fallback;
        }
    }

    /** A byte size: a number with an optional unit (KiB, MiB, GiB; k/m/g mean the same). */
    public long size(String key) {
        return size(key, ConfigValues.parseSize(declaredDefault(key)), false);
    }

    /** A size whose default is derived from another key. */
    public long size(String key, long fallback) {
        return size(key, fallback, true);
    }

    /** A size whose {@code 0} turns something off: 0 or positive. */
    public long sizeOrOff(String key) {
        String v = value(key);
        if (v != null && v.trim().equals("0")) {
            return 0;
        }
        return size(key, ConfigValues.parseSize(declaredDefault(key)), false);
    }

    private long size(String key, long fallback, boolean derived) {
        if (derived) {
            noDeclaredDefault(key);
        }
        String v = value(key);
        if (v == null) {
            return fallback;
        }
        long n;
        try {
            n = ConfigValues.parseSize(v);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return fallback;
        }
        if (n <= 0) {
            problem(key, "must be positive, was '" + v + "'");
            return fallback;
        }
        return n;
    }

    /** A duration: ISO-8601 ({@code PT30S}) or short form ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}). */
    public Duration duration(String key) {
        Duration d = ConfigValues.parseDuration(declaredDefault(key));
        String v = value(key);
        if (v == null) {
            return d;
        }
        Duration parsed;
        try {
            parsed = ConfigValues.parseDuration(v);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return d;
        }
        if (parsed.isNegative()) {
            problem(key, "must not be negative, was '" + v + "'");
            return d;
        }
        return parsed;
    }

    /** A duration, or null when {@code v} is not one. */
    static Duration parseDuration(String v) {
        try {
            return ConfigValues.parseDuration(v);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An enum constant; the declared choices name the constants in lower case with '-' for '_'. */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        String choice = choice(key);
        return Enum.valueOf(type, choice.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** A list of strings; a comma-separated string (as from an environment variable) also works. */
    public List<String> strings(String key) {
        return strings(key, parseList(declaredDefault(key)));
    }

    /** A list whose default is derived from another key. */
    public List<String> strings(String key, List<String> fallback) {
        ConfigKeys.declared(key);
        read.add(key);
        Config node = root.get(key);
        if (!node.exists()) {
            return fallback;
        }
        if (node.isLeaf()) {
            String v = node.asString().orElse("");
            return v.isBlank() ? List.of() : List.of(v.split("\\s*,\\s*"));
        }
        if (node.type() != Config.Type.LIST) {
            // a map where a list belongs (found by ConfigFuzzTest): Helidon's list mapping would throw
            problem(key, "must be a list of strings (or one comma-separated string)");
            return fallback;
        }
        try {
            return node.asList(String.class).orElse(fallback);
        } catch (io.helidon.config.ConfigException e) {
            problem(key, "must be a list of strings, each a plain value");
            return fallback;
        }
    }

    /** {@code []} or {@code [a, b]}, as the declarations write list defaults. */
    private static List<String> parseList(String literal) {
        String inner = literal.strip();
        if (!inner.startsWith("[") || !inner.endsWith("]")) {
            throw new IllegalStateException("a list default is written [a, b], was '" + literal + "'");
        }
        inner = inner.substring(1, inner.length() - 1).strip();
        return inner.isEmpty() ? List.of() : List.of(inner.split("\\s*,\\s*"));
    }

    /** A path; relative ones resolve against {@code base}. Null when neither set nor declared with a default. */
    public Path path(String key, Path base) {
        String v = value(key);
        if (v == null || v.isBlank()) {
            v = ConfigKeys.declared(key).defaultValue();
        }
        if (v == null) {
            return null;
        }
        Path p = Path.of(v.startsWith("~/") ? System.getProperty("user.home") + v.substring(1) : v);
        return p.isAbsolute() ? p.normalize() : base.resolve(p).normalize();
    }

    /** A path whose default is derived from another key; relative ones resolve against {@code base}. */
    public Path path(String key, Path base, Path fallback) {
        noDeclaredDefault(key);
        Path p = path(key, base);
        return p != null ? p : fallback;
    }

    /** The subtree of a declared map or rule list, for reading its user-named children. */
    public Config section(String key) {
        ConfigKeys.declared(key);
        read.add(key);
        return root.get(key);
    }

    /** A config subtree as plain values (maps, lists, strings), for plugin sections. */
    public static Map<String, Object> plain(Config node) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (!node.exists() || node.type() != Config.Type.OBJECT) {
            return map; // absent, or a key with nothing under it (YAML null)
        }
        for (Config child : node.asNodeList().orElse(List.of())) {
            map.put(child.name(), plainValue(child));
        }
        return map;
    }

    private static Object plainValue(Config node) {
        return switch (node.type()) {
            case OBJECT -> plain(node);
            case LIST -> node.asNodeList().orElse(List.of()).stream().map(ConfigReader::plainValue).toList();
            case VALUE -> node.asString().orElse(null);
            default -> null;
        };
    }
}
