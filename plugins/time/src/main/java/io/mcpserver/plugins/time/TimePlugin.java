package io.mcpserver.plugins.time;

import io.mcpserver.spi.McpProtocolException;
import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfigKey;
import io.mcpserver.spi.PluginContext;
import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;

import java.time.Clock;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Current time, conversion between time zones and date arithmetic; a meeting-planning prompt. */
public final class TimePlugin implements McpPlugin {

    static final String PROMPT = "plan_meeting";

    private ZoneId defaultZone = ZoneId.systemDefault();
    private final Clock clock;

    public TimePlugin() {
        this(Clock.systemUTC());
    }

    TimePlugin(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "time";
    }

    @Override
    public String description() {
        return "Current time, time-zone conversion and date arithmetic";
    }

    @Override
    public List<PluginConfigKey> configKeys() {
        return List.of(PluginConfigKey.builder("default-timezone", PluginConfigKey.Type.STRING)
                .description("zone used when a call names none").build());
    }

    @Override
    public void init(PluginContext context) {
        String configured = context.config().string("default-timezone", "");
        if (!configured.isBlank()) {
            try {
                defaultZone = TimeParsing.zone(configured, null);
            } catch (ToolException e) { // an unknown zone fails init, naming it
                throw new IllegalArgumentException("'default-timezone': " + e.getMessage(), e);
            }
        }
    }

    ZoneId defaultZone() {
        return defaultZone;
    }

    @Override
    public List<Object> annotatedTools() {
        return List.of(new TimeTools(defaultZone, clock));
    }

    @Override
    public List<Prompt> prompts() {
        PromptDescriptor descriptor = PromptDescriptor.builder(PROMPT)
                .title("Plan a meeting across time zones")
                .description("Asks for the local time of a meeting for attendees in other time zones, flagging "
                        + "times outside working hours.")
                .argument("time", "Meeting date and time, e.g. 2025-06-01T15:00", true)
                .argument("timezone", "IANA zone of the organiser", true)
                .argument("attendee_timezones", "Comma-separated IANA zones of the attendees", true)
                .build();
        return List.of(Prompt.of(descriptor, (args, ctx) -> {
            try {
                return planMeeting(args);
            } catch (ToolException e) { // a zone the prompt cannot use: the caller's mistake, -32602
                throw McpProtocolException.invalidParams(e.getMessage());
            }
        }));
    }

    static PromptResult planMeeting(Map<String, String> args) {
        String organiser = TimeParsing.zone(args.get("timezone"), ZoneId.of("UTC")).getId();
        List<String> attendees = Arrays.stream(args.getOrDefault("attendee_timezones", "").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(z -> TimeParsing.zone(z, null).getId())
                .toList();
        if (attendees.isEmpty()) {
            throw new IllegalArgumentException("attendee_timezones must list at least one time zone");
        }
        String text = "A meeting is planned for " + args.get("time") + " in " + organiser + ". "
                + "Use the convert_time tool to find the local time for attendees in "
                + String.join(", ", attendees) + ". "
                + "List each zone with its local date and time, and flag any that fall outside 08:00-18:00 "
                + "local time or on a weekend.";
        return PromptResult.ofUserText("Meeting at " + args.get("time") + " " + organiser, text);
    }

    @Override
    public List<CompletionProvider> completions() {
        return List.of(new CompletionProvider() {
            @Override
            public CompletionRef ref() {
                return CompletionRef.prompt(PROMPT);
            }

            @Override
            public Completion complete(String argumentName, String prefix, Map<String, String> context,
                                       RequestContext request) {
                if (argumentName.equals("timezone")) {
                    return completeZone(prefix);
                }
                if (argumentName.equals("attendee_timezones")) {
                    // complete the last element of the comma-separated list
                    int comma = prefix == null ? -1 : prefix.lastIndexOf(',');
                    String head = comma < 0 ? "" : prefix.substring(0, comma + 1);
                    String last = comma < 0 ? prefix : prefix.substring(comma + 1).stripLeading();
                    Completion zones = completeZone(last);
                    String sep = head.isEmpty() || head.endsWith(" ") ? "" : " ";
                    return new Completion(zones.values().stream().map(z -> head + sep + z).toList(),
                            zones.total(), zones.hasMore());
                }
                return new Completion(List.of(), 0, false);
            }
        });
    }

    /** Zones whose id, or whose city part, starts with {@code prefix}; id matches first. */
    static Completion completeZone(String prefix) {
        String p = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT);
        List<String> sorted = ZoneId.getAvailableZoneIds().stream().sorted().toList();
        List<String> byId = sorted.stream().filter(id -> id.toLowerCase(Locale.ROOT).startsWith(p)).toList();
        List<String> byCity = p.isEmpty() ? List.of() : sorted.stream()
                .filter(id -> !byId.contains(id))
                .filter(id -> {
                    String city = id.substring(id.lastIndexOf('/') + 1).replace('_', ' ').toLowerCase(Locale.ROOT);
                    return city.startsWith(p.replace('_', ' '));
                })
                .toList();
        List<String> all = Stream.concat(byId.stream(), byCity.stream()).collect(Collectors.toList());
        return new Completion(all, all.size(), false);
    }
}
