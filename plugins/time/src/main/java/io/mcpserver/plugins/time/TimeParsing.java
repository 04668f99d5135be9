package io.mcpserver.plugins.time;

import io.mcpserver.spi.tools.ToolException;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Reading the zone names, date-times and durations people and models write. */
final class TimeParsing {

    private static final Pattern SPACE_SEPARATED = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d.*");

    private TimeParsing() {
    }

    /**
     * An IANA zone (case-insensitive), {@code UTC}, or an offset such as {@code +05:30}; blank gives
     * {@code fallback}.
     *
     * @throws ToolException naming the zone when it is unknown
     */
    static ZoneId zone(String name, ZoneId fallback) {
        if (name == null || name.isBlank()) {
            return fallback;
        }
        String trimmed = name.trim();
        try {
            return ZoneId.of(trimmed);
        } catch (DateTimeException e) {
            Set<String> ids = ZoneId.getAvailableZoneIds();
            for (String id : ids) {
                if (id.equalsIgnoreCase(trimmed)) {
                    return ZoneId.of(id);
                }
            }
            throw new ToolException("Unknown time zone '" + trimmed
                    + "': use an IANA name such as Europe/Paris, America/New_York or UTC");
        }
    }

    /**
     * A point in time: {@code now}; an ISO date-time with zone or offset (kept as given, then moved to
     * {@code zone}); a local date-time, date (midnight) or time of day (today) taken in {@code zone}.
     */
    static ZonedDateTime dateTime(String text, ZoneId zone, Clock clock) {
        if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("now")) {
            return ZonedDateTime.now(clock).withZoneSameInstant(zone);
        }
        String s = text.trim();
        if (SPACE_SEPARATED.matcher(s).matches()) {
            s = s.replaceFirst(" ", "T");
        }
        try {
            return ZonedDateTime.parse(s).withZoneSameInstant(zone);
        } catch (DateTimeParseException ignored) {
            // not zoned; try the other forms
        }
        try {
            return OffsetDateTime.parse(s).atZoneSameInstant(zone);
        } catch (DateTimeParseException ignored) {
            // no offset
        }
        try {
            return LocalDateTime.parse(s).atZone(zone);
        } catch (DateTimeParseException ignored) {
            // no time of day
        }
        try {
            return LocalDate.parse(s).atStartOfDay(zone);
        } catch (DateTimeParseException ignored) {
            // no date
        }
        try {
            LocalTime time = LocalTime.parse(s);
            return ZonedDateTime.of(LocalDate.now(clock.withZone(zone)), time, zone);
        } catch (DateTimeParseException e) {
            throw new ToolException("Cannot read '" + text + "' as a date or time: use ISO-8601 such as "
                    + "2025-06-01T14:30, 2025-06-01T14:30:00Z, 2025-06-01 or 14:30");
        }
    }

    /**
     * Adds an ISO-8601 duration with both date and time parts, e.g. {@code P1Y2M3DT4H5M6S}, {@code PT90M},
     * {@code P2W} or {@code -P1D}. The date part is calendar-aware (a month is a month), the time part
     * is exact elapsed time, so adding PT24H across a DST change differs from adding P1D.
     */
    static ZonedDateTime plus(ZonedDateTime start, String duration) {
        if (duration == null || duration.isBlank()) {
            throw new ToolException("duration must not be empty");
        }
        String s = duration.trim().toUpperCase(Locale.ROOT);
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        int t = s.indexOf('T');
        String datePart = t < 0 ? s : s.substring(0, t);
        String timePart = t < 0 ? null : "P" + s.substring(t);
        if (!datePart.startsWith("P") || (datePart.equals("P") && (timePart == null || timePart.equals("PT")))) {
            throw badDuration(duration);
        }
        try {
            Period period = datePart.equals("P") ? Period.ZERO : Period.parse(datePart);
            Duration exact = timePart == null ? Duration.ZERO : Duration.parse(timePart);
            if (negative) {
                period = period.negated();
                exact = exact.negated();
            }
            return start.plus(period).plus(exact);
        } catch (DateTimeParseException e) {
            throw badDuration(duration);
        } catch (DateTimeException | ArithmeticException e) {
            throw new ToolException("Adding " + duration + " to " + start + " leaves the supported range");
        }
    }

    private static ToolException badDuration(String duration) {
        return new ToolException("Cannot read '" + duration + "' as an ISO-8601 duration: use e.g. "
                + "PT30M, PT2H, P1D, P1W, P1M, P1Y2M3DT4H5M, or -P1D to go back");
    }
}
