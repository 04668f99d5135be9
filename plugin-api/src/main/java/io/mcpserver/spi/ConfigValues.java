package io.mcpserver.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How sizes and durations are written in the configuration, for the server's keys and plugins' keys alike:
 * a size is a number of bytes with an optional unit ({@code 512KiB}, {@code 4MiB}, {@code 1GiB}; {@code k},
 * {@code kb}, {@code m}, … mean the same), a duration is {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h},
 * {@code 1d} or ISO-8601 ({@code PT30S}), and a plain {@code 0} is zero.
 */
public final class ConfigValues {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ZERO = Pattern.compile("0+");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private ConfigValues() {
    }

    /**
     * A size in bytes.
     *
     * @throws IllegalArgumentException when {@code text} is not a size (the message says what is expected)
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size such as 4194304, 512KiB or 4MiB, was '" + text + "'");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("is too large, was '" + text + "'");
        }
    }

    /**
     * A duration; negative ISO-8601 durations are returned as they are, for the caller to refuse. A plain {@code 0}
     * is zero (the documentation of many keys says "{@code 0}: never"; any other number needs its unit).
     *
     * @throws IllegalArgumentException when {@code text} is not a duration (the message says what is expected)
     */
    public static Duration parseDuration(String text) {
        String s = text == null ? "" : text.trim();
        if (ZERO.matcher(s).matches()) {
            return Duration.ZERO;
        }
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
            throw new IllegalArgumentException("must be a duration such as 30s, 5m or PT1H, was '" + text + "'");
        }
    }
}
