package io.mcpserver.testkit;

import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginContext;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.ToolContext;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test kit against a plugin that uses every feature: what a plugin author's test would do. */
class McpTestServerTest {

    /** A plugin written the way a third party would. */
    public static final class KitPlugin implements McpPlugin {

        /** How often init ran in this copy of the class: the test's copy stays at 0 while isolated servers run. */
        static final java.util.concurrent.atomic.AtomicInteger INITS = new java.util.concurrent.atomic.AtomicInteger();

        private String greeting = "Hello";
        private Path data;

        @Override
        public String name() {
            return "kit";
        }

        @Override
        public void init(PluginContext context) {
            greeting = context.config().string("greeting", greeting);
            data = context.dataDirectory();
            INITS.incrementAndGet();
        }

        @Override
        public List<Object> annotatedTools() {
            return List.of(new Tools());
        }

        public final class Tools {

            public record Sum(long total) {
            }

            @McpTool(description = "Greets someone")
            public String greet(@Param(description = "who") String name) {
                return greeting + ", " + name + "!";
            }

            @McpTool(description = "Adds numbers, reporting progress and logging")
            public Sum add(List<Long> numbers, ToolContext context) {
                long total = 0;
                for (int i = 0; i < numbers.size(); i++) {
                    total += numbers.get(i);
                    context.progress(i + 1, (double) numbers.size(), null);
                }
                context.log(LogLevel.INFO, "added " + numbers.size() + " numbers");
                return new Sum(total);
            }

            @McpTool(description = "Asks the client's model")
            public String ask(String question, ToolContext context) throws InterruptedException {
                if (!context.clientSupports(ClientFeature.SAMPLING)) {
                    throw new io.mcpserver.spi.tools.ToolException("no sampling here");
                }
                return context.sample(SamplingRequest.ofUserText(question, 50)).text();
            }

            @McpTool(description = "Asks the user for a colour")
            public String colour(ToolContext context) throws InterruptedException {
                var answer = context.elicit("Your colour?", Map.of("type", "object",
                        "properties", Map.of("colour", Map.of("type", "string"))));
                return answer.action() + " " + answer.content().get("colour");
            }

            @McpTool(description = "Lists the client's roots")
            public String roots(ToolContext context) throws InterruptedException {
                return context.roots().getFirst().uri();
            }

            @McpTool(description = "Which class loaders the plugin and the Jackson it sees come from")
            public String loaders() throws Exception {
                return KitPlugin.class.getClassLoader().getName() + " "
                        + Class.forName("com.fasterxml.jackson.databind.ObjectMapper").getClassLoader().getName();
            }

            @McpTool(description = "Writes into the data directory")
            public String save(String text) throws Exception {
                Files.writeString(data.resolve("saved.txt"), text);
                return "saved";
            }
        }

        @Override
        public List<Resource> resources() {
            return List.of(Resource.of(ResourceDescriptor.of("kit://motd", "motd", "Message of the day", "text/plain"),
                    ctx -> List.of(ResourceContents.text("kit://motd", "text/plain", greeting + " from the kit"))));
        }

        @Override
        public List<Prompt> prompts() {
            return List.of(Prompt.of(PromptDescriptor.of("welcome", "Welcomes someone",
                            new PromptDescriptor.Argument("name", "who", true)),
                    (args, ctx) -> PromptResult.ofUserText("welcome", "Welcome " + args.get("name"))));
        }

        @Override
        public List<CompletionProvider> completions() {
            return List.of(new CompletionProvider() {
                @Override
                public CompletionRef ref() {
                    return CompletionRef.prompt("welcome");
                }

                @Override
                public Completion complete(String argument, String prefix, Map<String, String> context,
                                           io.mcpserver.spi.RequestContext request) {
                    return Completion.filter(List.of("Ada", "Alan", "Grace"), prefix);
                }
            });
        }
    }

    @Test
    void aPluginTestIsAFewLines() {
        try (McpTestServer server = McpTestServer.with(KitPlugin.class).config("greeting", "Hi").start();
             McpTestClient client = server.client()) {
            assertEquals("Hi, Ada!", client.callTool("greet", Map.of("name", "Ada")).text());
        }
    }

    @Test
    void everyFeatureThroughTheClient() throws Exception {
        try (McpTestServer server = McpTestServer.with(KitPlugin.class).start();
             McpTestClient client = server.client()) {
            assertEquals(List.of("add", "ask", "colour", "greet", "loaders", "roots", "save"), client.toolNames());
            assertEquals(List.of("name"), client.listTools().stream().filter(t -> t.name().equals("greet"))
                    .findFirst().orElseThrow().inputSchema().get("required"));

            ToolCallResult sum = client.callTool("add", Map.of("numbers", List.of(1, 2, 3)));
            assertFalse(sum.isError(), sum.toString());
            assertEquals(6, ((Number) sum.structured().get("total")).intValue());
            assertEquals(3, sum.progress().size());
            assertEquals("added 3 numbers", client.awaitNotification("notifications/message", Duration.ofSeconds(5))
                    .params().get("data"));

            assertEquals("Hello from the kit", client.readResource("kit://motd").text());
            assertEquals("Welcome Ada", client.getPrompt("welcome", Map.of("name", "Ada")).text());
            assertEquals(List.of("Ada", "Alan"), client.completePrompt("welcome", "name", "a").values());

            assertEquals("saved", client.callTool("save", Map.of("text", "kept")).text());
            assertEquals("kept", Files.readString(server.dataDir("kit").resolve("saved.txt")));

            ToolCallResult noSampling = client.callTool("ask", Map.of("question", "why?"));
            assertTrue(noSampling.isError());
            assertEquals("no sampling here", noSampling.text());

            ToolCallResult bad = client.callTool("greet", Map.of()); // schema failure: isError since 2025-11-25
            assertTrue(bad.isError(), bad.text());
            assertTrue(bad.text().startsWith("Invalid arguments for tool 'greet'"), bad.text());
        }
    }

    @Test
    void clientHandlersAnswerSamplingElicitationAndRoots() {
        try (McpTestServer server = McpTestServer.with(KitPlugin.class).start();
             McpTestClient client = server.client(McpTestClient.options()
                     .samplingText(question -> "because " + question)
                     .elicitationAccept(Map.of("colour", "teal"))
                     .roots("file:///work/project"))) {
            assertEquals("because why?", client.callTool("ask", Map.of("question", "why?")).text());
            assertEquals("accept teal", client.callTool("colour", Map.of()).text());
            assertEquals("file:///work/project", client.callTool("roots", Map.of()).text());
        }
    }

    @Test
    void aPluginGivenByItsClassLoadsThroughAPluginClassLoaderAsInTheDistribution() {
        int before = KitPlugin.INITS.get();
        try (McpTestServer server = McpTestServer.with(KitPlugin.class).start();
             McpTestClient client = server.client()) {
            assertEquals("plugin:classpath plugin:classpath", client.callTool("loaders", Map.of()).text(),
                    "the plugin and the libraries it sees come from its own loader, not the test's or the server's");
            assertEquals(before, KitPlugin.INITS.get(), "the server initialized its own copy of the class");
        }
        try (McpTestServer server = McpTestServer.withInstances(new KitPlugin()).start();
             McpTestClient client = server.client()) {
            assertEquals("app", client.callTool("loaders", Map.of()).text().split(" ")[0],
                    "an instance the test made keeps the test's class loader");
            assertEquals(before + 1, KitPlugin.INITS.get());
        }
    }

    /** A plugin the distribution could not create either: no public no-argument constructor. */
    public static final class NeedsAnArgument implements McpPlugin {

        public NeedsAnArgument(String name) {
        }

        @Override
        public String name() {
            return "needs-an-argument";
        }
    }

    @Test
    void aPluginClassTheServerCannotCreateFailsTheStartWithTheReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> McpTestServer.with(NeedsAnArgument.class).start().close());
        assertTrue(e.getMessage().contains("cannot instantiate " + NeedsAnArgument.class.getName()), e.getMessage());
    }

    @Test
    void aPluginThatDoesNotLoadFailsTheStartWithItsReason() {
        McpPlugin broken = new McpPlugin() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void init(PluginContext context) {
                throw new IllegalArgumentException("needs an api-key");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> McpTestServer.withInstances(broken).start().close());
        assertTrue(e.getMessage().contains("needs an api-key"), e.getMessage());
    }
}
