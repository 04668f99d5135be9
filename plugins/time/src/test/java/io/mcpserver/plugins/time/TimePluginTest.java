package io.mcpserver.plugins.time;

import io.mcpserver.testkit.TestPluginContext;
import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.tools.McpTool;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimePluginTest {

    /** Tuesday 1 July 2025, 12:00 UTC. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-07-01T12:00:00Z"), ZoneOffset.UTC);

    private static TimePlugin plugin(Map<String, Object> config) throws Exception {
        TimePlugin plugin = new TimePlugin(CLOCK);
        plugin.init(TestPluginContext.of("time").config(config));
        return plugin;
    }

    private static TimeTools tools() throws Exception {
        return (TimeTools) plugin(Map.of("default-timezone", "UTC")).annotatedTools().getFirst();
    }

    @Test
    void currentTimeInAZone() throws Exception {
        TimeTools.ZonedTime t = tools().currentTime("Europe/Paris");
        assertEquals("2025-07-01T14:00:00+02:00", t.datetime());
        assertEquals("Europe/Paris", t.timezone());
        assertEquals("+02:00", t.utcOffset());
        assertEquals("Tuesday", t.dayOfWeek());
        assertTrue(t.daylightSaving());
        assertEquals(CLOCK.instant().getEpochSecond(), t.epochSeconds());
    }

    @Test
    void currentTimeDefaultsToConfiguredZone() throws Exception {
        TimeTools.ZonedTime utc = tools().currentTime(null);
        assertEquals("2025-07-01T12:00:00Z", utc.datetime());
        assertEquals("+00:00", utc.utcOffset());
        TimeTools tokyo = (TimeTools) plugin(Map.of("default-timezone", "Asia/Tokyo")).annotatedTools().getFirst();
        assertEquals("2025-07-01T21:00:00+09:00", tokyo.currentTime("").datetime());
    }

    @Test
    void zoneNamesAreCaseInsensitive() throws Exception {
        assertEquals("America/New_York", tools().currentTime("america/new_york").timezone());
    }

    @Test
    void unknownZoneIsAnErrorNamingIt() throws Exception {
        ToolException e = assertThrows(ToolException.class,
                () -> tools().currentTime("Mars/Olympus_Mons"));
        assertTrue(e.getMessage().contains("'Mars/Olympus_Mons'"), e.getMessage());
        ToolException c = assertThrows(ToolException.class,
                () -> tools().convertTime("10:00", "Europe/Paris", "Nowhere/Land"));
        assertTrue(c.getMessage().contains("Nowhere/Land"), c.getMessage());
    }

    @Test
    void unknownDefaultZoneFailsInit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plugin(Map.of("default-timezone", "Atlantis/Capital")));
        assertTrue(e.getMessage().contains("Atlantis/Capital"));
    }

    @Test
    void convertsTimeOfDayBetweenZones() throws Exception {
        TimeTools.Conversion c = tools().convertTime("14:30", "America/New_York", "Asia/Tokyo");
        assertEquals("2025-07-01T14:30:00-04:00", c.source().datetime());
        assertEquals("2025-07-02T03:30:00+09:00", c.target().datetime());
        assertEquals("Wednesday", c.target().dayOfWeek());
        assertEquals("+13h", c.timeDifference());
        assertEquals("+5h45m", tools().convertTime("2025-01-10T00:00", "UTC", "Asia/Kathmandu").timeDifference());
        assertEquals("-5h30m", tools().convertTime("2025-01-10 08:00", "Asia/Kolkata", "UTC").timeDifference());
    }

    @Test
    void convertRespectsAnExplicitOffset() throws Exception {
        TimeTools.Conversion c = tools().convertTime("2025-01-10T10:00:00Z", "Europe/Berlin", "Europe/London");
        assertEquals("2025-01-10T11:00:00+01:00", c.source().datetime());
        assertEquals("2025-01-10T10:00:00Z", c.target().datetime());
    }

    @Test
    void badTimeIsAnError() {
        ToolException e = assertThrows(ToolException.class,
                () -> tools().convertTime("half past ten", "UTC", "UTC"));
        assertTrue(e.getMessage().contains("half past ten"));
    }

    @Test
    void timeBetweenCountsElapsedTimeAcrossDst() throws Exception {
        // Europe/Paris springs forward on 30 March 2025: that calendar day has 23 hours
        TimeTools.Span s = tools().timeBetween("2025-03-29T12:00", "2025-03-30T12:00", "Europe/Paris");
        assertEquals("PT23H", s.duration());
        assertEquals(23 * 3600, s.totalSeconds());
        assertEquals("P1D", s.calendarPeriod());
        assertEquals("23 hours", s.description());
    }

    @Test
    void timeBetweenIsNegativeBackwards() throws Exception {
        TimeTools.Span s = tools().timeBetween("2025-01-02", "2025-01-01T00:00:30", null);
        assertEquals(-(86400 - 30), s.totalSeconds());
        assertEquals("minus 23 hours, 59 minutes and 30 seconds", s.description());
        assertEquals("P-1D", s.calendarPeriod());
    }

    @Test
    void addsCalendarAndExactDurations() throws Exception {
        TimeTools t = tools();
        assertEquals("2025-03-30T12:00:00+02:00", t.addDuration("P1D", "2025-03-29T12:00", "Europe/Paris")
                .datetime());
        assertEquals("2025-03-30T13:00:00+02:00", t.addDuration("PT24H", "2025-03-29T12:00", "Europe/Paris")
                .datetime());
        assertEquals("2025-02-28T00:00:00Z", t.addDuration("P1M", "2025-01-31", null).datetime());
        assertEquals("2026-03-04T05:06:07Z", t.addDuration("p1y2m3dt5h6m7s", "2025-01-01", "UTC").datetime());
        assertEquals("2025-06-24T12:00:00Z", t.addDuration("-P1W", null, null).datetime());
        assertEquals("2025-07-01T13:30:00Z", t.addDuration("PT90M", "now", null).datetime());
    }

    @Test
    void badDurationsAreErrors() throws Exception {
        TimeTools t = tools();
        for (String bad : List.of("", "P", "PT", "1D", "P1H", "PXD", "P1DT")) {
            assertThrows(ToolException.class, () -> t.addDuration(bad, null, null), bad);
        }
    }

    @Test
    void everyToolIsDescribedAndReadOnly() {
        List<String> names = new ArrayList<>();
        for (Method m : TimeTools.class.getMethods()) {
            McpTool tool = m.getAnnotation(McpTool.class);
            if (tool != null) {
                names.add(tool.name());
                assertTrue(tool.readOnly(), tool.name());
                assertFalse(tool.description().isBlank(), tool.name());
            }
        }
        assertEquals(List.of("add_duration", "convert_time", "current_time", "time_between"),
                names.stream().sorted().toList());
    }

    @Test
    void planMeetingPrompt() throws Exception {
        Prompt prompt = plugin(Map.of()).prompts().getFirst();
        assertEquals("plan_meeting", prompt.descriptor().name());
        assertFalse(prompt.descriptor().description().isBlank());
        PromptResult r = prompt.get(Map.of("time", "2025-06-01T15:00", "timezone", "europe/paris",
                "attendee_timezones", "Asia/Tokyo, america/new_york"), null);
        String text = ((TextContent) r.messages().getFirst().content()).text();
        assertTrue(text.contains("2025-06-01T15:00 in Europe/Paris"), text);
        assertTrue(text.contains("Asia/Tokyo, America/New_York"), text);
        assertThrows(io.mcpserver.spi.McpProtocolException.class, () -> prompt.get(Map.of("time", "x", "timezone", "UTC",
                "attendee_timezones", "Mars/Base"), null));
    }

    @Test
    void completesZoneNames() throws Exception {
        CompletionProvider p = plugin(Map.of()).completions().getFirst();
        assertEquals("plan_meeting", p.ref().name());
        Completion byId = p.complete("timezone", "europe/par", Map.of(), null);
        assertEquals(List.of("Europe/Paris"), byId.values());
        Completion byCity = p.complete("timezone", "new_y", Map.of(), null);
        assertTrue(byCity.values().contains("America/New_York"), byCity.values().toString());
        Completion list = p.complete("attendee_timezones", "UTC, Asia/Toky", Map.of(), null);
        assertEquals(List.of("UTC, Asia/Tokyo"), list.values());
        assertTrue(p.complete("time", "2025", Map.of(), null).values().isEmpty());
    }
}
