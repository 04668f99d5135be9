package io.mcpserver.plugins.demo;

import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ClientRequestException;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.Root;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.client.UnsupportedByClientException;
import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.Role;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.ToolContext;
import io.mcpserver.spi.tools.ToolResult;

import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/** The demo's annotated tools; {@code echo} is hand-written in {@link DemoPlugin} to stay cheap. */
public final class DemoTools {

    static final int MAX_COUNT = 1000;
    static final int MAX_STEP_DELAY_MS = 10_000;
    /** How often a sleeping tool looks at the cancelled flag, in case the thread is not interrupted. */
    private static final Duration CANCEL_POLL = Duration.ofMillis(20);

    private final long maxSleepMs;
    private final AtomicLong counter;
    private final LongConsumer counterChanged;
    private final CallOutcomes outcomes;

    DemoTools(long maxSleepMs, AtomicLong counter, LongConsumer counterChanged, CallOutcomes outcomes) {
        this.maxSleepMs = maxSleepMs;
        this.counter = counter;
        this.counterChanged = counterChanged;
        this.outcomes = outcomes;
    }

    @McpTool(name = "slow_count", openWorld = false, title = "Count slowly",
            description = "Counts from 1 to count, pausing delay_ms before each step, and reports each step as "
                    + "progress and as a log message. Cancel it to see it stop at once.",
            readOnly = true)
    public String slowCount(
            @Param(name = "count", description = "Number to count to (1-" + MAX_COUNT + ")") int count,
            @Param(name = "delay_ms", description = "Pause before each step in milliseconds (0-" + MAX_STEP_DELAY_MS
                    + ", default 250)", required = false) Integer delayMs,
            @Param(name = "tag", description = "Names this call in " + CallOutcomes.URI_TEMPLATE
                    + ", which tells whether it finished or was cancelled", required = false) String tag,
            ToolContext context) throws InterruptedException {
        if (count < 1 || count > MAX_COUNT) {
            throw new ToolException("count must be between 1 and " + MAX_COUNT + ", was " + count);
        }
        int delay = delayMs == null ? 250 : delayMs;
        if (delay < 0 || delay > MAX_STEP_DELAY_MS) {
            throw new ToolException("delay_ms must be between 0 and " + MAX_STEP_DELAY_MS + ", was "
                    + delay);
        }
        return outcomes.track(tag, () -> {
            for (int i = 1; i <= count; i++) {
                pause(delay, context);
                context.progress(i, (double) count, "Counted " + i + " of " + count);
                context.log(LogLevel.INFO, "demo.slow_count", "count " + i + " of " + count);
            }
            return "Counted to " + count;
        });
    }

    @McpTool(name = "sleep", openWorld = false, title = "Sleep",
            description = "Sleeps for the given number of milliseconds, then says so. Cancellable.",
            readOnly = true, idempotent = true)
    public String sleep(
            @Param(name = "ms", description = "Milliseconds to sleep") long ms,
            @Param(name = "tag", description = "Names this call in " + CallOutcomes.URI_TEMPLATE
                    + ", which tells whether it finished or was cancelled", required = false) String tag,
            ToolContext context) throws InterruptedException {
        if (ms < 0 || ms > maxSleepMs) {
            throw new ToolException("ms must be between 0 and " + maxSleepMs + ", was " + ms);
        }
        return outcomes.track(tag, () -> {
            pause(ms, context);
            return "Slept " + ms + " ms";
        });
    }

    @McpTool(name = "fail", openWorld = false, title = "Fail",
            description = "Always fails, to show how a failing tool looks to the client (a result with isError).",
            readOnly = true, idempotent = true)
    public String fail(
            @Param(name = "message", description = "Error message to fail with", required = false) String message) {
        throw new ToolException(message == null || message.isBlank()
                ? "This tool always fails: it demonstrates an error result" : message);
    }

    @McpTool(name = "ask_model", title = "Ask the client's model",
            description = "Asks the client's language model a question (sampling/createMessage) and returns its "
                    + "answer. Needs a client that supports sampling.",
            readOnly = true, openWorld = true)
    public ToolResult askModel(
            @Param(name = "question", description = "What to ask the model") String question,
            @Param(name = "max_tokens", description = "Longest answer in tokens (default 200)", required = false)
            Integer maxTokens,
            ToolContext context) throws InterruptedException {
        if (!context.clientSupports(ClientFeature.SAMPLING)) {
            return ToolResult.error("This client does not support sampling, so the tool cannot ask its model");
        }
        int tokens = maxTokens == null ? 200 : maxTokens;
        if (tokens < 1) {
            throw new ToolException("max_tokens must be at least 1, was " + tokens);
        }
        SamplingRequest request = new SamplingRequest(
                List.of(new SamplingRequest.Message(Role.USER, Content.text(question))),
                "You are a helpful assistant. Answer briefly.", tokens, null, null, null);
        try {
            SamplingResult answer = context.sample(request);
            String text = answer.text() == null ? "[the model answered with non-text content]" : answer.text();
            return ToolResult.of(Content.text(text),
                    Content.text("(answered by " + (answer.model() == null ? "an unnamed model" : answer.model())
                            + ")"));
        } catch (UnsupportedByClientException e) {
            return ToolResult.error("This client does not support sampling, so the tool cannot ask its model");
        } catch (ClientRequestException e) {
            return ToolResult.error("The client did not answer the sampling request: " + e.getMessage());
        }
    }

    @McpTool(name = "ask_user", title = "Ask the user",
            description = "Asks the user, through the client, for their name, favourite colour and whether to "
                    + "subscribe (elicitation/create), and reports what they answered. Needs a client that "
                    + "supports elicitation.",
            readOnly = true, openWorld = true)
    public ToolResult askUser(
            @Param(name = "message", description = "What to tell the user (has a default)", required = false)
            String message,
            ToolContext context) throws InterruptedException {
        if (!context.clientSupports(ClientFeature.ELICITATION)) {
            return ToolResult.error("This client does not support elicitation, so the tool cannot ask the user");
        }
        try {
            ElicitationResult result = context.elicit(
                    message == null || message.isBlank() ? "Tell us a little about yourself" : message,
                    userSchema());
            return switch (result.action()) {
                case "accept" -> ToolResult.text("The user answered: " + describe(result.content()));
                case "decline" -> ToolResult.text("The user declined to answer.");
                default -> ToolResult.text("The user dismissed the question.");
            };
        } catch (UnsupportedByClientException e) {
            return ToolResult.error("This client does not support elicitation, so the tool cannot ask the user");
        } catch (ClientRequestException e) {
            return ToolResult.error("The client did not answer the elicitation request: " + e.getMessage());
        }
    }

    static Map<String, Object> userSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("name", Map.of("type", "string", "title", "Your name", "minLength", 1));
        properties.put("colour", Map.of("type", "string", "title", "Favourite colour",
                "enum", List.of("red", "green", "blue", "other")));
        properties.put("subscribe", Map.of("type", "boolean", "title", "Subscribe to the newsletter?",
                "default", false));
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("required", List.of("name"));
        return schema;
    }

    private static String describe(Map<String, Object> content) {
        if (content.isEmpty()) {
            return "(nothing)";
        }
        StringBuilder out = new StringBuilder();
        content.forEach((k, v) -> out.append(out.isEmpty() ? "" : ", ").append(k).append(" = ").append(v));
        return out.toString();
    }

    @McpTool(name = "list_roots", openWorld = false, title = "List the client's roots",
            description = "Lists the roots (directories) the client exposes to servers (roots/list). Needs a "
                    + "client that supports roots.",
            readOnly = true)
    public ToolResult listRoots(ToolContext context) throws InterruptedException {
        if (!context.clientSupports(ClientFeature.ROOTS)) {
            return ToolResult.error("This client does not support roots");
        }
        try {
            List<Root> roots = context.roots();
            if (roots.isEmpty()) {
                return ToolResult.text("The client exposes no roots.");
            }
            StringBuilder out = new StringBuilder("The client's roots:");
            for (Root root : roots) {
                out.append("\n- ").append(root.uri());
                if (root.name() != null && !root.name().isBlank()) {
                    out.append(" (").append(root.name()).append(')');
                }
            }
            return ToolResult.text(out.toString());
        } catch (UnsupportedByClientException e) {
            return ToolResult.error("This client does not support roots");
        } catch (ClientRequestException e) {
            return ToolResult.error("The client did not answer the roots request: " + e.getMessage());
        }
    }

    @McpTool(name = "bump_counter", openWorld = false, destructive = false, title = "Bump the counter",
            description = "Adds to the counter shown by the resource demo://counter (default: 1) and tells "
                    + "clients subscribed to that resource that it changed.")
    public String bumpCounter(
            @Param(name = "by", description = "Amount to add (default 1)", required = false) Long by) {
        long value = counter.addAndGet(by == null ? 1 : by);
        counterChanged.accept(value);
        return "Counter is now " + value;
    }

    /** What text_stats finds; what a text lacks is null (an empty Optional is sent as null too). */
    public record TextStats(int words, String longestWord, Optional<String> firstNumber,
                            Optional<LocalDate> firstDate) {
    }

    @McpTool(name = "text_stats", openWorld = false, readOnly = true, title = "Text statistics",
            description = "Counts the words of a text and finds its longest word, its first number and its first "
                    + "ISO date (YYYY-MM-DD); whatever the text lacks is null.")
    public TextStats textStats(@Param(description = "The text to look at") String text) {
        List<String> words = Arrays.stream(text.split("[^\\p{L}\\p{N}-]+")).filter(w -> !w.isEmpty()).toList();
        String longest = words.stream().filter(w -> w.chars().anyMatch(Character::isLetter))
                .max(Comparator.comparingInt(String::length)).orElse(null);
        Optional<String> number = words.stream().filter(w -> w.matches("-?\\d+")).findFirst();
        Optional<LocalDate> date = words.stream().filter(w -> w.matches("\\d{4}-\\d{2}-\\d{2}")).flatMap(w -> {
            try {
                return java.util.stream.Stream.of(LocalDate.parse(w));
            } catch (DateTimeParseException e) {
                return java.util.stream.Stream.empty();
            }
        }).findFirst();
        return new TextStats(words.size(), longest, number, date);
    }

    /**
     * Sleeps {@code ms}, stopping early when the request is cancelled: the thread is interrupted (an
     * InterruptedException ends it) and, in case it is not, the cancelled flag is polled.
     */
    static void pause(long ms, ToolContext context) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        context.checkCancelled();
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            Thread.sleep(Duration.ofNanos(Math.min(left, CANCEL_POLL.toNanos())));
            context.checkCancelled();
        }
    }
}
