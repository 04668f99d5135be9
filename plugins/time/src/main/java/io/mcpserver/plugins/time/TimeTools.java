package io.mcpserver.plugins.time;

import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;

import java.time.Clock;
import java.time.Duration;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Time tools. Each returns a record: the server sends it as structured content and as JSON text. */
public final class TimeTools {

    private final ZoneId defaultZone;
    private final Clock clock;

    TimeTools(ZoneId defaultZone, Clock clock) {
        this.defaultZone = defaultZone;
        this.clock = clock;
    }

    /** One instant as seen in one zone. */
    public record ZonedTime(String datetime, String timezone, String utcOffset, String dayOfWeek, boolean daylightSaving,
                            long epochSeconds) {

        static ZonedTime of(ZonedDateTime t) {
            return new ZonedTime(
                    t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                    t.getZone().getId(),
                    t.getOffset().getId().equals("Z") ? "+00:00" : t.getOffset().getId(),
                    t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH),
                    t.getZone().getRules().isDaylightSavings(t.toInstant()),
                    t.toEpochSecond());
        }
    }

    /** A conversion between zones; {@code timeDifference} is the target's offset minus the source's. */
    public record Conversion(ZonedTime source, ZonedTime target, String timeDifference) {
    }

    /**
     * The span between two instants: exact elapsed time ({@code duration}, {@code totalSeconds}) and the
     * calendar difference of their dates in the start's zone ({@code calendarPeriod}).
     */
    public record Span(ZonedTime start, ZonedTime end, String duration, long totalSeconds, String calendarPeriod,
                       String description) {
    }

    @McpTool(name = "current_time", openWorld = false, title = "Current time",
            description = "Returns the current date and time in a time zone as ISO-8601, with the UTC offset, day "
                    + "of week and whether daylight saving time is in effect.",
            readOnly = true)
    public ZonedTime currentTime(
            @Param(name = "timezone", description = "IANA time zone such as Europe/Paris or America/New_York; "
                    + "defaults to the server's zone", required = false) String timezone) {
        ZoneId zone = TimeParsing.zone(timezone, defaultZone);
        return ZonedTime.of(ZonedDateTime.now(clock).withZoneSameInstant(zone));
    }

    @McpTool(name = "convert_time", openWorld = false, title = "Convert time between zones",
            description = "Converts a time from one time zone to another. The time may be a time of day (14:30, "
                    + "taken as today), a date-time (2025-06-01T14:30) or 'now'.",
            readOnly = true)
    public Conversion convertTime(
            @Param(name = "time", description = "Time to convert: HH:mm, an ISO-8601 date-time, or 'now'")
            String time,
            @Param(name = "source_timezone", description = "IANA zone the time is in") String sourceTimezone,
            @Param(name = "target_timezone", description = "IANA zone to convert to") String targetTimezone) {
        ZoneId from = TimeParsing.zone(required(sourceTimezone, "source_timezone"), defaultZone);
        ZoneId to = TimeParsing.zone(required(targetTimezone, "target_timezone"), defaultZone);
        ZonedDateTime source = TimeParsing.dateTime(required(time, "time"), from, clock);
        ZonedDateTime target = source.withZoneSameInstant(to);
        int diff = target.getOffset().getTotalSeconds() - source.getOffset().getTotalSeconds();
        return new Conversion(ZonedTime.of(source), ZonedTime.of(target), formatOffsetDifference(diff));
    }

    @McpTool(name = "time_between", openWorld = false, title = "Time between two moments",
            description = "Computes the time from start to end: exact elapsed time as an ISO-8601 duration and in "
                    + "seconds, the calendar difference (years, months, days) and a readable description. "
                    + "Negative when end is before start.",
            readOnly = true)
    public Span timeBetween(
            @Param(name = "start", description = "ISO-8601 date, date-time or 'now'") String start,
            @Param(name = "end", description = "ISO-8601 date, date-time or 'now'") String end,
            @Param(name = "timezone", description = "Zone for inputs without an offset; defaults to the server's "
                    + "zone", required = false) String timezone) {
        ZoneId zone = TimeParsing.zone(timezone, defaultZone);
        ZonedDateTime from = TimeParsing.dateTime(required(start, "start"), zone, clock);
        ZonedDateTime to = TimeParsing.dateTime(required(end, "end"), zone, clock);
        Duration elapsed = Duration.between(from, to);
        Period calendar = Period.between(from.toLocalDate(), to.withZoneSameInstant(from.getZone()).toLocalDate());
        return new Span(ZonedTime.of(from), ZonedTime.of(to), elapsed.toString(), elapsed.toSeconds(),
                calendar.toString(), describe(elapsed));
    }

    @McpTool(name = "add_duration", openWorld = false, title = "Add a duration",
            description = "Adds an ISO-8601 duration to a date-time (default: now) and returns the result. Date "
                    + "parts are calendar-aware (P1M is one month), time parts are exact (PT24H is 24 hours). "
                    + "Use a leading '-' to subtract, e.g. -P1W.",
            readOnly = true)
    public ZonedTime addDuration(
            @Param(name = "duration", description = "ISO-8601 duration such as PT90M, P1D, P1Y2M3DT4H or -P1W")
            String duration,
            @Param(name = "datetime", description = "Start: ISO-8601 date or date-time, or 'now' (default)",
                    required = false) String datetime,
            @Param(name = "timezone", description = "Zone for the start and the result; defaults to the server's "
                    + "zone", required = false) String timezone) {
        ZoneId zone = TimeParsing.zone(timezone, defaultZone);
        ZonedDateTime start = TimeParsing.dateTime(datetime, zone, clock);
        return ZonedTime.of(TimeParsing.plus(start, duration));
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new ToolException(name + " must not be empty");
        }
        return value;
    }

    static String formatOffsetDifference(int seconds) {
        String sign = seconds < 0 ? "-" : "+";
        int abs = Math.abs(seconds);
        int hours = abs / 3600;
        int minutes = (abs % 3600) / 60;
        return sign + hours + "h" + (minutes == 0 ? "" : minutes + "m");
    }

    static String describe(Duration d) {
        if (d.isZero()) {
            return "no time";
        }
        Duration abs = d.abs();
        List<String> parts = new ArrayList<>();
        add(parts, abs.toDays(), "day");
        add(parts, abs.toHoursPart(), "hour");
        add(parts, abs.toMinutesPart(), "minute");
        add(parts, abs.toSecondsPart(), "second");
        if (parts.isEmpty()) {
            return (d.isNegative() ? "minus " : "") + "less than a second";
        }
        String joined = parts.size() == 1 ? parts.getFirst()
                : String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.getLast();
        return (d.isNegative() ? "minus " : "") + joined;
    }

    private static void add(List<String> parts, long n, String unit) {
        if (n != 0) {
            parts.add(n + " " + unit + (n == 1 ? "" : "s"));
        }
    }
}
