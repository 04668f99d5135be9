package io.mcpserver.plugins.conformance;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfigKey;
import io.mcpserver.spi.PluginContext;
import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.EmbeddedResource;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.content.Role;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.resources.ResourceNotFoundException;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fixtures for the official MCP conformance suite ({@code @modelcontextprotocol/conformance}): the
 * tools, resources, prompts and completions its server scenarios expect. Off unless
 * {@code plugins.conformance.enabled: true}.
 */
public final class ConformancePlugin implements McpPlugin {

    static final String STATIC_TEXT_URI = "test://static-text";
    static final String STATIC_BINARY_URI = "test://static-binary";
    static final String WATCHED_URI = "test://watched-resource";
    static final String TEMPLATE = "test://template/{id}/data";
    static final String STATIC_TEXT = "This is the content of the static text resource.";

    static final List<String> ARGUMENT_SUGGESTIONS = List.of("paris", "park", "party", "test", "testing",
            "test-value");

    private final AtomicLong watchedRevision = new AtomicLong(1);
    private static final long DEFAULT_RECONNECTION_DELAY_MS = 500;
    private static final long DEFAULT_WATCHED_INTERVAL_MS = 3000;
    private Duration reconnectionDelay = Duration.ofMillis(DEFAULT_RECONNECTION_DELAY_MS);
    private Thread watcher;
    private PluginContext context;
    /** Flipped by test_trigger_tool_change / test_trigger_prompt_change, so that the lists change. */
    private final java.util.concurrent.atomic.AtomicBoolean extraTool = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean extraPrompt = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public String name() {
        return "conformance";
    }

    @Override
    public String description() {
        return "Fixtures for the official MCP conformance suite (enable only for testing)";
    }

    @Override
    public boolean enabledByDefault() {
        return false;
    }

    @Override
    public List<PluginConfigKey> configKeys() {
        return List.of(
                PluginConfigKey.builder("watched-resource-interval-ms", PluginConfigKey.Type.INTEGER)
                        .defaultValue(String.valueOf(DEFAULT_WATCHED_INTERVAL_MS))
                        .description("how often `test://watched-resource` changes; `0` never").build(),
                PluginConfigKey.builder("reconnection-delay-ms", PluginConfigKey.Type.INTEGER)
                        .defaultValue(String.valueOf(DEFAULT_RECONNECTION_DELAY_MS))
                        .description("how long `test_reconnection` waits before answering").build());
    }

    @Override
    public void init(PluginContext context) {
        this.context = context;
        long delay = context.config().number("reconnection-delay-ms", reconnectionDelay.toMillis());
        long interval = context.config().number("watched-resource-interval-ms", DEFAULT_WATCHED_INTERVAL_MS);
        if (delay < 0 || interval < 0) {
            throw new IllegalArgumentException("reconnection-delay-ms and watched-resource-interval-ms must not be "
                    + "negative");
        }
        reconnectionDelay = Duration.ofMillis(delay);
        if (interval > 0) {
            // test://watched-resource changes on its own so that subscribers get resources/updated
            watcher = Thread.ofVirtual().name("conformance-watched-resource").start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(interval);
                        watchedRevision.incrementAndGet();
                        context.resourceUpdated(WATCHED_URI);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (watcher != null) {
            watcher.interrupt();
            watcher.join(Duration.ofSeconds(5));
        }
    }

    long watchedRevision() {
        return watchedRevision.get();
    }

    @Override
    public List<Tool> tools() {
        List<Tool> tools = new java.util.ArrayList<>(new ConformanceTools(reconnectionDelay).all());
        tools.add(trigger("test_trigger_tool_change", "Adds or removes test_dynamic_tool, so the tool list changes",
                extraTool));
        tools.add(trigger("test_trigger_prompt_change",
                "Adds or removes test_dynamic_prompt, so the prompt list changes", extraPrompt));
        if (extraTool.get()) {
            tools.add(Tool.of(ToolDescriptor.builder("test_dynamic_tool")
                            .description("Present between two calls of test_trigger_tool_change").build(),
                    (args, ctx) -> ToolResult.text("dynamic")));
        }
        return tools;
    }

    /** A tool that flips a list entry and tells the server the plugin's lists changed (list_changed follows). */
    private Tool trigger(String name, String description, java.util.concurrent.atomic.AtomicBoolean flag) {
        return Tool.of(ToolDescriptor.builder(name).description(description).build(), (args, ctx) -> {
            boolean now = !flag.get();
            flag.set(now);
            context.contributionsChanged();
            return ToolResult.text(now ? "added" : "removed");
        });
    }

    @Override
    public List<Resource> resources() {
        return List.of(
                Resource.of(ResourceDescriptor.builder(STATIC_TEXT_URI, "static-text").title("Static Text Resource")
                                .description("A text resource whose content never changes").mimeType("text/plain")
                                .build(),
                        ctx -> List.of(ResourceContents.text(STATIC_TEXT_URI, "text/plain", STATIC_TEXT))),
                Resource.of(ResourceDescriptor.builder(STATIC_BINARY_URI, "static-binary").title("Static Binary Resource")
                                .description("A binary resource: a 1x1 red PNG").mimeType("image/png").build(),
                        ctx -> List.of(ResourceContents.blob(STATIC_BINARY_URI, "image/png",
                                TestMedia.RED_PIXEL_PNG))),
                Resource.of(ResourceDescriptor.builder(WATCHED_URI, "watched-resource").title("Watched Resource")
                                .description("A resource that changes every few seconds; subscribe to hear about it")
                                .mimeType("text/plain").build(),
                        ctx -> List.of(ResourceContents.text(WATCHED_URI, "text/plain",
                                "Watched resource content, revision " + watchedRevision.get()))));
    }

    @Override
    public List<ResourceTemplate> resourceTemplates() {
        return List.of(ResourceTemplate.of(
                ResourceTemplateDescriptor.builder(TEMPLATE, "template").title("Resource Template")
                        .description("JSON data for the id in the URI").mimeType("application/json").build(),
                ConformancePlugin::readTemplate));
    }

    static List<ResourceContents> readTemplate(String uri, Map<String, String> variables, RequestContext ctx) {
        String id = variables.get("id");
        if (id == null || id.isEmpty()) {
            throw new ResourceNotFoundException(uri);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", id);
        data.put("templateTest", true);
        data.put("data", "Data for ID: " + id);
        return List.of(ResourceContents.text(uri, "application/json", Json.write(data)));
    }

    @Override
    public List<Prompt> prompts() {
        List<Prompt> prompts = new java.util.ArrayList<>(ownPrompts());
        prompts.addAll(InputFixtures.prompts());
        if (extraPrompt.get()) {
            prompts.add(Prompt.of(PromptDescriptor.builder("test_dynamic_prompt").title("Dynamic Prompt")
                            .description("Present between two calls of test_trigger_prompt_change").build(),
                    (args, ctx) -> PromptResult.ofUserText(null, "dynamic")));
        }
        return prompts;
    }

    private static List<Prompt> ownPrompts() {
        return List.of(
                Prompt.of(PromptDescriptor.builder("test_simple_prompt").title("Simple Test Prompt")
                                .description("A prompt without arguments").build(),
                        (args, ctx) -> PromptResult.ofUserText(null, "This is a simple prompt for testing.")),
                Prompt.of(PromptDescriptor.builder("test_prompt_with_arguments").title("Prompt With Arguments")
                                .description("A prompt with two required arguments")
                                .argument("arg1", "First test argument", true)
                                .argument("arg2", "Second test argument", true).build(),
                        (args, ctx) -> PromptResult.ofUserText(null, "Prompt with arguments: arg1='"
                                + args.get("arg1") + "', arg2='" + args.get("arg2") + "'")),
                Prompt.of(PromptDescriptor.builder("test_prompt_with_embedded_resource")
                                .title("Prompt With Embedded Resource").description("A prompt that embeds a resource")
                                .argument("resourceUri", "URI of the resource to embed", true).build(),
                        (args, ctx) -> new PromptResult(null, List.of(
                                new PromptResult.Message(Role.USER, EmbeddedResource.of(ResourceContents.text(
                                        args.get("resourceUri"), "text/plain",
                                        "Embedded resource content for testing."))),
                                new PromptResult.Message(Role.USER,
                                        Content.text("Please process the embedded resource above."))))),
                Prompt.of(PromptDescriptor.builder("test_prompt_with_image").title("Prompt With Image")
                                .description("A prompt that includes an image").build(),
                        (args, ctx) -> new PromptResult(null, List.of(
                                new PromptResult.Message(Role.USER,
                                        Content.image(TestMedia.RED_PIXEL_PNG, "image/png")),
                                new PromptResult.Message(Role.USER,
                                        Content.text("Please analyze the image above."))))));
    }

    @Override
    public List<CompletionProvider> completions() {
        return List.of(new CompletionProvider() {
            @Override
            public CompletionRef ref() {
                return CompletionRef.prompt("test_prompt_with_arguments");
            }

            @Override
            public Completion complete(String argumentName, String prefix, Map<String, String> context,
                                       RequestContext request) {
                return Completion.filter(ARGUMENT_SUGGESTIONS, prefix);
            }
        }, new CompletionProvider() {
            @Override
            public CompletionRef ref() {
                return CompletionRef.resourceTemplate(TEMPLATE);
            }

            @Override
            public Completion complete(String argumentName, String prefix, Map<String, String> context,
                                       RequestContext request) {
                return Completion.filter(List.of("1", "42", "123"), prefix);
            }
        });
    }
}
