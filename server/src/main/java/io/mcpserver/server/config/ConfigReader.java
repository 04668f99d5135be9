package io.mcpserver.server.config;

import io.helidon.config.Config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values from the Helidon config tree, collecting every problem (key and reason) instead
 * of stopping at the first, so one run of {@code --check-config} shows them all.
 */
public final class ConfigReader {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private final Config root;
    private final List<String> problems = new ArrayList<>();

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
        return root.get(key).exists();
    }

    public String string(String key, String defaultValue) {
        return root.get(key).asString().orElse(defaultValue);
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = string(key, null);
        if (v == null) {
            return defaultValue;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        problem(key, "must be true or false, was '" + v + "'");
        return defaultValue;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String v = string(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                problem(key, "must be between " + min + " and " + max + ", was " + i);
                return defaultValue;
            }
            return i;
        } catch (NumberFormatException e) {
            problem(key, "must be a whole number, was '" + v + "'");
            return defaultValue;
        }
    }

    public int port(String key, int defaultValue) {
        return integer(key, defaultValue, 0, 65535);
    }

    /** A byte size: a number with an optional unit (KiB, MiB, GiB; k/m/g mean the same). */
    public long size(String key, long defaultValue) {
        String v = string(key, null);
        if (v == null) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(v.trim());
        if (!m.matches()) {
            problem(key, "must be a size such as 4194304, 512KiB or 4MiB, was '" + v + "'");
            return defaultValue;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        if (n <= 0) {
            problem(key, "must be positive, was '" + v + "'");
            return defaultValue;
        }
        return n * factor;
    }

    /** A duration: ISO-8601 ({@code PT30S}) or short form ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}). */
    public Duration duration(String key, Duration defaultValue) {
        String v = string(key, null);
        if (v == null) {
            return defaultValue;
        }
        Duration d = parseDuration(v);
        if (d == null) {
            problem(key, "must be a duration such as 30s, 5m or PT1H, was '" + v + "'");
            return defaultValue;
        }
        if (d.isNegative()) {
            problem(key, "must not be negative, was '" + v + "'");
            return defaultValue;
        }
        return d;
    }

    static Duration parseDuration(String v) {
        String s = v.trim();
        Matcher m = SHORT_DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(s.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        String v = string(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                allowed.add(c.name().toLowerCase(Locale.ROOT));
            }
            problem(key, "must be one of " + allowed + ", was '" + v + "'");
            return defaultValue;
        }
    }

    /** A list of strings; a comma-separated string (as from an environment variable) also works. */
    public List<String> strings(String key, List<String> defaultValue) {
        Config node = root.get(key);
        if (!node.exists()) {
            return defaultValue;
        }
        if (node.isLeaf()) {
            String v = node.asString().orElse("");
            return v.isBlank() ? List.of() : List.of(v.split("\\s*,\\s*"));
        }
        return node.asList(String.class).orElse(defaultValue);
    }

    public Path path(String key, Path base, Path defaultValue) {
        String v = string(key, null);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        Path p = Path.of(v.startsWith("~/") ? System.getProperty("user.home") + v.substring(1) : v);
        return p.isAbsolute() ? p.normalize() : base.resolve(p).normalize();
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
