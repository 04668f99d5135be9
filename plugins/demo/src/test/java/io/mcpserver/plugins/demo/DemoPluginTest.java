package io.mcpserver.plugins.demo;

import io.mcpserver.testkit.RecordingToolContext;
import io.mcpserver.testkit.TestPluginContext;
import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.Root;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.content.Role;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceNotFoundException;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoPluginTest {

    private final TestPluginContext context = TestPluginContext.of("demo").config(Map.of("max-sleep-ms", 5000));
    private DemoPlugin plugin;
    private DemoTools tools;

    @BeforeEach
    void init() throws Exception {
        plugin = new DemoPlugin();
        plugin.init(context);
        tools = (DemoTools) plugin.annotatedTools().getFirst();
    }

    private static String text(ToolResult r) {
        return r.content().stream().map(c -> ((TextContent) c).text()).collect(Collectors.joining("\n"));
    }

    @Test
    void echoReturnsItsText() throws Exception {
        Tool echo = plugin.tools().getFirst();
        assertEquals("echo", echo.descriptor().name());
        assertEquals(List.of("text"), echo.descriptor().inputSchema().get("required"));
        ToolResult r = echo.call(Map.of("text", "héllo, wörld"), new RecordingToolContext());
        assertFalse(r.isError());
        assertEquals("héllo, wörld", text(r));
    }

    @Test
    void everyToolHasADescription() {
        for (Method m : DemoTools.class.getMethods()) {
            McpTool t = m.getAnnotation(McpTool.class);
            if (t != null) {
                assertFalse(t.description().isBlank(), t.name());
            }
        }
        assertFalse(plugin.tools().getFirst().descriptor().description().isBlank());
    }

    @Test
    void slowCountReportsProgressAndLogsEachStep() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext();
        assertEquals("Counted to 3", tools.slowCount(3, 0, null, ctx));
        assertEquals(List.of(1.0, 2.0, 3.0), ctx.progress().stream().map(RecordingToolContext.Progress::progress)
                .toList());
        assertTrue(ctx.progress().stream().allMatch(p -> p.total() == 3.0));
        assertEquals(3, ctx.logs().size());
        assertEquals(LogLevel.INFO, ctx.logs().getFirst().level());
        assertEquals("count 2 of 3", ctx.logs().get(1).data());
    }

    @Test
    void slowCountStopsPromptlyWhenCancelled() {
        RecordingToolContext ctx = new RecordingToolContext();
        ctx.cancelAfterProgress(2);
        assertThrows(CancellationException.class, () -> tools.slowCount(100, 100, null, ctx));
        assertEquals(2, ctx.progress().size(), "not one step after the cancellation");
    }

    @Test
    void slowCountStopsWhenItsThreadIsInterrupted() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                tools.slowCount(1000, 100, null, ctx);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        awaitSleeping(worker); // in its first pause
        worker.interrupt();
        Throwable thrown = outcome.get(30, TimeUnit.SECONDS);
        assertInstanceOf(InterruptedException.class, thrown);
        assertTrue(ctx.progress().size() < 1000, ctx.progress().size() + " steps: it stopped before the end");
    }

    @Test
    void slowCountValidatesItsArguments() {
        assertThrows(ToolException.class, () -> tools.slowCount(0, 0, null, new RecordingToolContext()));
        assertThrows(ToolException.class, () -> tools.slowCount(5, -1, null, new RecordingToolContext()));
    }

    @Test
    void sleepSleepsAndIsCancellable() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext();
        long start = System.nanoTime();
        assertEquals("Slept 50 ms", tools.sleep(50, null, ctx));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));

        RecordingToolContext cancelled = new RecordingToolContext();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                tools.sleep(5000, null, cancelled);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        awaitSleeping(worker);
        cancelled.cancel(); // the flag alone, no interrupt: the sleep polls it
        assertInstanceOf(CancellationException.class, outcome.get(30, TimeUnit.SECONDS),
                "ended by the cancellation, not by sleeping its 5 s out");
    }

    /** Waits until the thread sleeps (the tool is in its pause): the event, not a guess at how long it takes. */
    private static void awaitSleeping(Thread worker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (worker.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline && worker.isAlive(), "the tool never paused: " + worker.getState());
            Thread.onSpinWait();
            Thread.sleep(1);
        }
    }

    @Test
    void sleepIsCappedByConfig() {
        ToolException e = assertThrows(ToolException.class,
                () -> tools.sleep(5001, null, new RecordingToolContext()));
        assertTrue(e.getMessage().contains("5000"));
    }

    @Test
    void failThrows() {
        assertEquals("boom", assertThrows(ToolException.class, () -> tools.fail("boom")).getMessage());
        assertFalse(assertThrows(ToolException.class, () -> tools.fail(null)).getMessage().isBlank());
    }

    @Test
    void askModelSamplesTheClient() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext().supporting(ClientFeature.SAMPLING);
        ctx.sampler(req -> new SamplingResult(Role.ASSISTANT, Content.text("Paris."), "test-model", "endTurn"));
        ToolResult r = tools.askModel("Capital of France?", null, ctx);
        assertFalse(r.isError());
        assertEquals("Paris.", ((TextContent) r.content().getFirst()).text());
        assertTrue(text(r).contains("test-model"));
        var request = ctx.samplingRequests().getFirst();
        assertEquals(200, request.maxTokens());
        assertEquals(Role.USER, request.messages().getFirst().role());
        assertEquals("Capital of France?", ((TextContent) request.messages().getFirst().content()).text());
    }

    @Test
    void askModelWithoutSamplingIsAnErrorResult() throws Exception {
        ToolResult r = tools.askModel("hi", 10, new RecordingToolContext());
        assertTrue(r.isError());
        assertTrue(text(r).contains("sampling"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void askUserElicits() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext().supporting(ClientFeature.ELICITATION);
        ctx.elicitor((message, schema) -> new ElicitationResult("accept",
                Map.of("name", "Ada", "colour", "green", "subscribe", true)));
        ToolResult r = tools.askUser(null, ctx);
        assertFalse(r.isError());
        assertTrue(text(r).contains("name = Ada"), text(r));
        Map<String, Object> schema = ctx.elicitationSchemas().getFirst();
        assertEquals("object", schema.get("type"));
        Map<String, Object> props = (Map<String, Object>) schema.get("properties");
        assertEquals(List.of("name", "colour", "subscribe"), List.copyOf(props.keySet()));
        ctx.elicitor((message, s) -> new ElicitationResult("decline", null));
        assertTrue(text(tools.askUser("Hi", ctx)).contains("declined"));
        assertTrue(tools.askUser("Hi", new RecordingToolContext()).isError());
    }

    @Test
    void listRootsShowsTheClientsRoots() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext().supporting(ClientFeature.ROOTS);
        ctx.roots(List.of(new Root("file:///home/ada/project", "project"), new Root("file:///tmp", null)));
        String out = text(tools.listRoots(ctx));
        assertTrue(out.contains("- file:///home/ada/project (project)"), out);
        assertTrue(out.contains("- file:///tmp"), out);
        assertTrue(tools.listRoots(new RecordingToolContext()).isError());
    }

    @Test
    void bumpCounterUpdatesTheResourceAndNotifies() throws Exception {
        Resource counter = plugin.resources().stream()
                .filter(r -> r.descriptor().uri().equals("demo://counter")).findFirst().orElseThrow();
        assertEquals("0", ((ResourceContents.Text) counter.read(null).getFirst()).text());
        assertEquals("Counter is now 1", tools.bumpCounter(null));
        assertEquals("Counter is now 6", tools.bumpCounter(5L));
        assertEquals(List.of("demo://counter", "demo://counter"), context.updatedResources());
        assertEquals("6", ((ResourceContents.Text) counter.read(null).getFirst()).text());
    }

    @Test
    void readmeResource() throws Exception {
        Resource readme = plugin.resources().getFirst();
        assertEquals("demo://readme", readme.descriptor().uri());
        ResourceContents.Text c = (ResourceContents.Text) readme.read(null).getFirst();
        assertEquals("demo://readme", c.uri());
        assertTrue(c.text().contains("slow_count"));
    }

    @Test
    void greetingTemplate() throws Exception {
        ResourceTemplate t = plugin.resourceTemplates().getFirst();
        assertEquals("demo://greeting/{name}", t.descriptor().uriTemplate());
        var c = (ResourceContents.Text) t.read("demo://greeting/Ada%20Lovelace", Map.of("name", "Ada%20Lovelace"),
                null).getFirst();
        assertEquals("Hello, Ada Lovelace!", c.text());
        assertEquals("demo://greeting/Ada%20Lovelace", c.uri());
        assertThrows(ResourceNotFoundException.class, () -> t.read("demo://greeting/", Map.of("name", ""), null));
    }

    @Test
    void aTaggedCallsOutcomeIsReadableAsAResource() throws Exception {
        ResourceTemplate calls = plugin.resourceTemplates().get(1);
        assertEquals("demo://calls/{tag}", calls.descriptor().uriTemplate());
        assertEquals("Slept 0 ms", tools.sleep(0, "done", new RecordingToolContext()));
        assertEquals("finished", outcome(calls, "done"));

        RecordingToolContext ctx = new RecordingToolContext();
        ctx.cancelAfterProgress(1);
        assertThrows(CancellationException.class, () -> tools.slowCount(5, 0, "flagged", ctx));
        assertEquals("cancelled: the tool saw the cancelled flag", outcome(calls, "flagged"));

        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                tools.sleep(5000, "interrupted", new RecordingToolContext());
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        awaitSleeping(worker);
        assertEquals("running", outcome(calls, "interrupted"));
        worker.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(30, TimeUnit.SECONDS));
        assertEquals("cancelled: the thread was interrupted", outcome(calls, "interrupted"));

        assertThrows(ResourceNotFoundException.class,
                () -> calls.read("demo://calls/never", Map.of("tag", "never"), null));
    }

    private static String outcome(ResourceTemplate calls, String tag) throws Exception {
        return ((ResourceContents.Text) calls.read("demo://calls/" + tag, Map.of("tag", tag), null).getFirst()).text();
    }

    @Test
    void percentDecoding() {
        assertEquals("a+b c", DemoPlugin.percentDecode("a+b%20c"));
        assertEquals("Zoë 😀", DemoPlugin.percentDecode("Zo%C3%AB%20%F0%9F%98%80"));
        assertEquals("100%", DemoPlugin.percentDecode("100%"));
        assertEquals("%zz", DemoPlugin.percentDecode("%zz"));
    }

    @Test
    void greetPrompt() throws Exception {
        Prompt greet = plugin.prompts().getFirst();
        assertEquals("greet", greet.descriptor().name());
        assertTrue(greet.descriptor().arguments().get(0).required());
        assertFalse(greet.descriptor().arguments().get(1).required());
        PromptResult casual = greet.get(Map.of("name", "Bob"), null);
        assertEquals("Write a relaxed, friendly greeting for Bob. Keep it under 60 words.",
                ((TextContent) casual.messages().getFirst().content()).text());
        PromptResult pirate = greet.get(Map.of("name", "Bob", "style", "Pirate"), null);
        assertTrue(((TextContent) pirate.messages().getFirst().content()).text().contains("pirate"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> greet.get(Map.of("name", "Bob", "style", "rap"), null));
        assertTrue(e.getMessage().contains("'rap'"));
    }

    @Test
    void completions() throws Exception {
        List<CompletionProvider> providers = plugin.completions();
        CompletionProvider prompt = providers.stream()
                .filter(p -> p.ref().equals(CompletionRef.prompt("greet"))).findFirst().orElseThrow();
        assertEquals(List.of("pirate"), prompt.complete("style", "p", Map.of(), null).values());
        assertEquals(5, prompt.complete("style", "", Map.of(), null).values().size());
        assertEquals(List.of("Grace"), prompt.complete("name", "gr", Map.of(), null).values());
        CompletionProvider template = providers.stream()
                .filter(p -> p.ref().equals(CompletionRef.resourceTemplate("demo://greeting/{name}")))
                .findFirst().orElseThrow();
        assertEquals(List.of("Ada", "Alan", "Alice"), template.complete("name", "A", Map.of(), null).values());
    }

    @Test
    void negativeMaxSleepFailsInit() {
        DemoPlugin p = new DemoPlugin();
        assertThrows(IllegalArgumentException.class, () -> p.init(TestPluginContext.of("demo").config(Map.of("max-sleep-ms", -1))));
    }

    @Test
    void descriptorsAreComplete() {
        plugin.resources().forEach(r -> assertFalse(r.descriptor().description().isBlank()));
        assertFalse(plugin.prompts().getFirst().descriptor().description().isBlank());
        assertTrue(plugin.tools().getFirst().descriptor().annotations().readOnlyHint());
    }

    @Test
    void clientRequestFailureIsAnErrorResult() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext().supporting(ClientFeature.SAMPLING);
        ctx.sampler(req -> {
            throw new io.mcpserver.spi.client.ClientRequestException(-1, "User rejected sampling request");
        });
        ToolResult r = tools.askModel("hi", null, ctx);
        assertTrue(r.isError());
        assertTrue(text(r).contains("User rejected"));
    }
}
