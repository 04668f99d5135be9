package io.mcpserver.plugins.demo;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfigKey;
import io.mcpserver.spi.PluginContext;
import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.resources.ResourceNotFoundException;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolAnnotations;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows every part of the protocol with one small example each: tools (progress, logging,
 * cancellation, sampling, elicitation, roots, errors), resources with a subscription, a resource
 * template, a prompt and completions.
 */
public final class DemoPlugin implements McpPlugin {

    static final String README_URI = "demo://readme";
    static final String COUNTER_URI = "demo://counter";
    static final String GREETING_TEMPLATE = "demo://greeting/{name}";
    static final String GREET_PROMPT = "greet";

    /** Greeting styles: the prompt's {@code style} argument and what each asks for. */
    static final Map<String, String> STYLES = styles();
    static final List<String> NAMES = List.of("Ada", "Alan", "Alice", "Bob", "Carol", "Dave", "Grace", "Linus",
            "Margaret");

    private final AtomicLong counter = new AtomicLong();
    private final CallOutcomes outcomes = new CallOutcomes();
    private PluginContext context;
    private static final long DEFAULT_MAX_SLEEP_MS = 60_000;
    private long maxSleepMs = DEFAULT_MAX_SLEEP_MS;

    private static Map<String, String> styles() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("formal", "a formal, polite greeting");
        m.put("casual", "a relaxed, friendly greeting");
        m.put("pirate", "a greeting in the voice of a pirate");
        m.put("shakespearean", "a greeting in Early Modern English, as Shakespeare might write it");
        m.put("haiku", "a greeting in the form of a haiku");
        return Map.copyOf(m);
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String description() {
        return "Exercises the protocol: echo, progress, cancellation, sampling, elicitation, roots, resources, "
                + "prompts, completions";
    }

    @Override
    public List<PluginConfigKey> configKeys() {
        return List.of(PluginConfigKey.builder("max-sleep-ms", PluginConfigKey.Type.INTEGER)
                .defaultValue(String.valueOf(DEFAULT_MAX_SLEEP_MS))
                .description("longest sleep the `sleep` tool accepts").build());
    }

    @Override
    public void init(PluginContext context) {
        this.context = context;
        maxSleepMs = context.config().number("max-sleep-ms", maxSleepMs);
        if (maxSleepMs < 0) {
            throw new IllegalArgumentException("'max-sleep-ms' must not be negative, was " + maxSleepMs);
        }
    }

    long counterValue() {
        return counter.get();
    }

    @Override
    public List<Tool> tools() {
        // hand-written and allocation-light: benchmarks call echo in a loop
        ToolDescriptor echo = ToolDescriptor.builder("echo")
                .title("Echo")
                .description("Returns the text it is given, unchanged.")
                .param("text", "string", "Text to return", true)
                .annotations(ToolAnnotations.builder().title("Echo").readOnlyHint(true).destructiveHint(false)
                        .idempotentHint(true).openWorldHint(false).build())
                .build();
        return List.of(Tool.of(echo, (args, ctx) -> ToolResult.text(Objects.toString(args.get("text"), ""))));
    }

    @Override
    public List<Object> annotatedTools() {
        return List.of(new DemoTools(maxSleepMs, counter, value -> {
            if (context != null) {
                context.resourceUpdated(COUNTER_URI);
            }
        }, outcomes));
    }

    @Override
    public List<Resource> resources() {
        Resource readme = Resource.of(
                ResourceDescriptor.of(README_URI, "readme", "What the demo plugin offers and how to try it",
                        "text/markdown"),
                ctx -> List.of(ResourceContents.text(README_URI, "text/markdown", README)));
        Resource counterResource = Resource.of(
                ResourceDescriptor.of(COUNTER_URI, "counter",
                        "A number that bump_counter increases; subscribe to be told when it changes", "text/plain"),
                ctx -> List.of(ResourceContents.text(COUNTER_URI, "text/plain", Long.toString(counter.get()))));
        return List.of(readme, counterResource);
    }

    @Override
    public List<ResourceTemplate> resourceTemplates() {
        ResourceTemplate calls = ResourceTemplate.of(
                ResourceTemplateDescriptor.of(CallOutcomes.URI_TEMPLATE, "call",
                        "What became of the sleep or slow_count call given this tag: running, finished or cancelled",
                        "text/plain"),
                (uri, variables, ctx) -> List.of(ResourceContents.text(uri, "text/plain",
                        outcomes.outcome(variables.getOrDefault("tag", ""))
                                .orElseThrow(() -> new ResourceNotFoundException(uri)))));
        return List.of(ResourceTemplate.of(
                ResourceTemplateDescriptor.of(GREETING_TEMPLATE, "greeting", "A greeting for the given name",
                        "text/plain"),
                (uri, variables, ctx) -> {
                    String name = percentDecode(variables.getOrDefault("name", "")).strip();
                    if (name.isEmpty()) {
                        throw new ResourceNotFoundException(uri);
                    }
                    return List.of(ResourceContents.text(uri, "text/plain", "Hello, " + name + "!"));
                }), calls);
    }

    @Override
    public List<Prompt> prompts() {
        PromptDescriptor greet = PromptDescriptor.builder(GREET_PROMPT)
                .title("Greet someone")
                .description("Asks the model to write a greeting for someone in a chosen style.")
                .argument("name", "Who to greet", true)
                .argument("style", "Style: " + String.join(", ", STYLES.keySet().stream().sorted().toList())
                        + " (default casual)", false)
                .build();
        return List.of(Prompt.of(greet, (args, ctx) -> greet(args)));
    }

    static PromptResult greet(Map<String, String> args) {
        String name = args.getOrDefault("name", "").strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        String style = args.get("style") == null || args.get("style").isBlank() ? "casual"
                : args.get("style").strip().toLowerCase(Locale.ROOT);
        String what = STYLES.get(style);
        if (what == null) {
            throw new IllegalArgumentException("Unknown style '" + args.get("style") + "': choose one of "
                    + String.join(", ", STYLES.keySet().stream().sorted().toList()));
        }
        return PromptResult.ofUserText("A " + style + " greeting for " + name,
                "Write " + what + " for " + name + ". Keep it under 60 words.");
    }

    @Override
    public List<CompletionProvider> completions() {
        CompletionProvider prompt = new CompletionProvider() {
            @Override
            public CompletionRef ref() {
                return CompletionRef.prompt(GREET_PROMPT);
            }

            @Override
            public Completion complete(String argumentName, String prefix, Map<String, String> ctx,
                                       RequestContext request) {
                return switch (argumentName) {
                    case "style" -> Completion.filter(STYLES.keySet().stream().sorted().toList(), prefix);
                    case "name" -> Completion.filter(NAMES, prefix);
                    default -> new Completion(List.of(), 0, false);
                };
            }
        };
        CompletionProvider template = new CompletionProvider() {
            @Override
            public CompletionRef ref() {
                return CompletionRef.resourceTemplate(GREETING_TEMPLATE);
            }

            @Override
            public Completion complete(String argumentName, String prefix, Map<String, String> ctx,
                                       RequestContext request) {
                return argumentName.equals("name") ? Completion.filter(NAMES, prefix)
                        : new Completion(List.of(), 0, false);
            }
        };
        return List.of(prompt, template);
    }

    /** Decodes %XX escapes (as UTF-8) and leaves everything else, '+' included, as it is. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
                    && Character.digit(s.charAt(i + 2), 16) >= 0) {
                pending.write(Integer.parseInt(s, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.append(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
                out.append(c);
            }
        }
        return out.append(pending.toString(StandardCharsets.UTF_8)).toString();
    }

    private static final String README = """
            # The demo plugin

            One small example of each MCP feature.

            ## Tools
            - `echo` returns its `text` argument unchanged (cheap: benchmarks use it).
            - `slow_count` counts to `count`, reporting progress and a log message each step; cancel it mid-way.
            - `sleep` sleeps `ms` milliseconds; cancellable.
              Give either a `tag` and read `demo://calls/{tag}` to see whether the server stopped it.
            - `fail` always fails: the result has `isError: true`.
            - `ask_model` asks the client's model a question (sampling).
            - `ask_user` asks the user for a name, a colour and a yes/no (elicitation).
            - `list_roots` lists the client's roots.
            - `bump_counter` increases the number in `demo://counter` and notifies subscribers.

            ## Resources
            - `demo://readme`: this text.
            - `demo://counter`: the counter; subscribe to it, then call `bump_counter`.
            - `demo://greeting/{name}`: a greeting; `name` completes from a few sample names.
            - `demo://calls/{tag}`: what became of a tagged `sleep` or `slow_count` call (running, finished, cancelled).

            ## Prompts
            - `greet` with `name` (required) and `style` (formal, casual, pirate, shakespearean, haiku); both complete.
            """;
}
