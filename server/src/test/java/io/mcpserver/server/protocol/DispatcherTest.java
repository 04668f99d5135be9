package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol core through a connection, as every transport drives it. */
class DispatcherTest {

    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final AtomicBoolean slowInterrupted = new AtomicBoolean();
    private TestClient client;

    @BeforeEach
    void setUp() {
        List<Tool> tools = new ArrayList<>();
        tools.add(Tool.of(ToolDescriptor.builder("add").description("adds")
                .param("a", "integer", "first", true).param("b", "integer", "second", true).build(),
                (args, ctx) -> ToolResult.text(String.valueOf(((Number) args.get("a")).longValue()
                        + ((Number) args.get("b")).longValue()))));
        tools.add(Tool.of(ToolDescriptor.builder("explode").build(), (args, ctx) -> {
            throw new IllegalStateException("disk on fire");
        }));
        tools.add(Tool.of(ToolDescriptor.builder("slow").build(), (args, ctx) -> {
            slowStarted.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                slowInterrupted.set(true);
                throw e;
            }
            return ToolResult.text("done");
        }));
        tools.add(Tool.of(ToolDescriptor.builder("chatty").build(), (args, ctx) -> {
            ctx.progress(1, 2.0, "half");
            ctx.log(LogLevel.DEBUG, "quiet", "not sent at info");
            ctx.log(LogLevel.WARNING, "loud", Map.of("k", "v"));
            ctx.progress(2, 2.0, "all");
            return ToolResult.text("ok");
        }));
        tools.add(Tool.of(ToolDescriptor.builder("ask").build(),
                (args, ctx) -> ToolResult.text("model said: " + ctx.sample(SamplingRequest.ofUserText("hi", 10)).text())));
        for (int i = 0; i < 5; i++) {
            tools.add(Tool.of(ToolDescriptor.builder("z" + i).build(), (args, ctx) -> ToolResult.text("")));
        }
        Resource readme = Resource.of(ResourceDescriptor.of("test://readme", "readme", null, "text/plain"),
                ctx -> List.of(ResourceContents.text("test://readme", "text/plain", "read me")));
        ResourceTemplate item = ResourceTemplate.of(ResourceTemplateDescriptor.of("test://items/{id}", "item", null,
                "text/plain"), (uri, vars, ctx) -> List.of(ResourceContents.text(uri, "text/plain", "item " + vars.get("id"))));
        Prompt greet = Prompt.of(PromptDescriptor.of("greet", "greets",
                new PromptDescriptor.Argument("name", "who", true)),
                (args, ctx) -> {
                    if (args.get("name").isBlank()) {
                        throw new IllegalArgumentException("name must not be blank");
                    }
                    return PromptResult.ofUserText(null, "Hello " + args.get("name"));
                });
        CompletionProvider names = new CompletionProvider() {
            public CompletionRef ref() {
                return CompletionRef.prompt("greet");
            }

            public Completion complete(String arg, String prefix, Map<String, String> c,
                                       io.mcpserver.spi.RequestContext r) {
                return Completion.filter(List.of("Alice", "Albert", "Bob"), prefix);
            }
        };
        McpCore core = TestClient.core(TestClient.settings(4, Duration.ofSeconds(30)), tools, List.of(readme),
                List.of(item), List.of(greet), List.of(names));
        client = new TestClient(core);
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void negotiatesVersionsAndAdvertisesWhatIsRegistered() throws Exception {
        JsonNode r = client.initialize("2025-06-18", "{}");
        assertEquals("2025-06-18", r.at("/result/protocolVersion").asText());
        assertTrue(r.at("/result/capabilities/tools/listChanged").asBoolean());
        assertTrue(r.at("/result/capabilities/resources/subscribe").asBoolean());
        assertTrue(r.at("/result/capabilities/completions").isObject());

        TestClient other = new TestClient(client.core);
        assertEquals("2025-11-25", other.initialize("1999-01-01", "{}").at("/result/protocolVersion").asText());
        other.close();
    }

    @Test
    void requestsBeforeInitializeAndBadMessagesGetTheRightErrors() throws Exception {
        assertEquals(-32600, client.call("tools/list", null).at("/error/code").asInt());
        assertEquals(0, client.call("ping", null).at("/result").size()); // ping is allowed first
        JsonNode discover = client.call("server/discover", "{}"); // stateless method without its _meta
        assertEquals(-32602, discover.at("/error/code").asInt());
        assertTrue(discover.at("/error/message").asText().contains("_meta"), discover.toString());
        client.sendRaw("{not json");
        assertEquals(-32700, client.next().at("/error/code").asInt());
        client.sendRaw("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");
        assertEquals(-32600, client.next().at("/error/code").asInt());
        client.sendRaw("{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"ping\"}");
        ObjectNode invalid = client.next();
        assertEquals(-32600, invalid.at("/error/code").asInt());
        assertEquals(7, invalid.get("id").asInt());
        client.initialize("2025-11-25", "{}");
        assertEquals(-32601, client.call("no/such", null).at("/error/code").asInt());
        assertEquals(-32600, client.call("initialize", "{\"protocolVersion\":\"2025-11-25\"}").at("/error/code").asInt());
    }

    @Test
    void invalidToolArgumentsStayAProtocolErrorBefore20251125() throws Exception {
        client.initialize("2025-06-18", "{}");
        JsonNode invalid = client.call("tools/call", "{\"name\":\"add\",\"arguments\":{\"a\":\"two\"}}");
        assertEquals(-32602, invalid.at("/error/code").asInt(), invalid.toString());
        assertTrue(invalid.at("/error/message").asText().contains("$.a"), invalid.toString());
    }

    @Test
    void toolArgumentsAreValidatedAndFailuresBecomeIsError() throws Exception {
        client.initialize("2025-11-25", "{}");
        assertEquals("5", client.call("tools/call", "{\"name\":\"add\",\"arguments\":{\"a\":2,\"b\":3}}")
                .at("/result/content/0/text").asText());
        // SEP-1303 (2025-11-25): arguments that fail the input schema are a tool execution error the model can read
        JsonNode invalid = client.call("tools/call", "{\"name\":\"add\",\"arguments\":{\"a\":\"two\"}}");
        assertTrue(invalid.at("/result/isError").asBoolean(), invalid.toString());
        String message = invalid.at("/result/content/0/text").asText();
        assertTrue(message.startsWith("Invalid arguments for tool 'add'"), message);
        assertTrue(message.contains("$.a") && message.contains("b"), message);
        assertTrue(message.contains("integer"), message);
        assertEquals(-32602, client.call("tools/call", "{\"name\":\"nope\"}").at("/error/code").asInt());
        JsonNode failed = client.call("tools/call", "{\"name\":\"explode\"}");
        assertTrue(failed.at("/result/isError").asBoolean());
        // an unexpected exception's message stays in the log: the model gets a reference to it
        String text = failed.at("/result/content/0/text").asText();
        assertTrue(text.startsWith("Tool 'explode' failed with an unexpected error (reference "), text);
        assertFalse(text.contains("disk on fire"), text);
    }

    @Test
    void listsArePaginatedInNameOrder() throws Exception {
        client.initialize("2025-11-25", "{}");
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode r = client.call("tools/list", cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}");
            r.at("/result/tools").forEach(t -> names.add(t.get("name").asText()));
            cursor = r.at("/result/nextCursor").isMissingNode() ? null : r.at("/result/nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertEquals(List.of("add", "ask", "chatty", "explode", "slow", "z0", "z1", "z2", "z3", "z4"), names);
        assertEquals(3, pages);
        assertEquals(-32602, client.call("tools/list", "{\"cursor\":\"bogus\"}").at("/error/code").asInt());
    }

    @Test
    void cancellationInterruptsTheCallAndOtherRequestsCarryOn() throws Exception {
        client.initialize("2025-11-25", "{}");
        int slow = client.send("tools/call", "{\"name\":\"slow\"}");
        assertTrue(slowStarted.await(5, TimeUnit.SECONDS));
        // the connection is not blocked by the slow call
        assertEquals("3", client.call("tools/call", "{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}")
                .at("/result/content/0/text").asText());
        client.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + slow
                + ",\"reason\":\"user\"}}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!slowInterrupted.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(slowInterrupted.get());
        Thread.sleep(100);
        assertTrue(client.received.stream().noneMatch(m -> m.path("id").asInt() == slow),
                "a cancelled request gets no response");
    }

    @Test
    void progressAndLogsReachTheClientFilteredByLevel() throws Exception {
        client.initialize("2025-11-25", "{}");
        JsonNode r = client.call("tools/call", "{\"name\":\"chatty\",\"_meta\":{\"progressToken\":\"tok\"}}");
        assertEquals("ok", r.at("/result/content/0/text").asText());
        ObjectNode p1 = client.nextWithMethod("notifications/progress");
        assertEquals("tok", p1.at("/params/progressToken").asText());
        assertEquals(1, p1.at("/params/progress").asInt());
        assertEquals("half", p1.at("/params/message").asText());
        ObjectNode log = client.nextWithMethod("notifications/message");
        assertEquals("warning", log.at("/params/level").asText());
        assertEquals("v", log.at("/params/data/k").asText());
        assertEquals(2, client.nextWithMethod("notifications/progress").at("/params/progress").asInt());
        assertTrue(client.received.stream().noneMatch(m -> "notifications/message".equals(m.path("method").asText())),
                "the debug message stays below the default level");

        client.call("logging/setLevel", "{\"level\":\"debug\"}");
        client.call("tools/call", "{\"name\":\"chatty\"}");
        assertEquals("debug", client.nextWithMethod("notifications/message").at("/params/level").asText());
        assertEquals(-32602, client.call("logging/setLevel", "{\"level\":\"loud\"}").at("/error/code").asInt());
    }

    @Test
    void samplingIsAskedOfTheClientAndTheAnswerResumesTheTool() throws Exception {
        client.initialize("2025-11-25", "{\"sampling\":{}}");
        int id = client.send("tools/call", "{\"name\":\"ask\"}");
        ObjectNode request = client.nextWithMethod("sampling/createMessage");
        assertEquals("hi", request.at("/params/messages/0/content/text").asText());
        client.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":\"" + request.get("id").asText() + "\",\"result\":{\"role\":\"assistant\","
                + "\"content\":{\"type\":\"text\",\"text\":\"hello human\"},\"model\":\"m\"}}");
        assertEquals("model said: hello human", client.responseTo(id).at("/result/content/0/text").asText());
    }

    @Test
    void samplingWithoutTheCapabilityIsAToolError() throws Exception {
        client.initialize("2025-11-25", "{}");
        JsonNode r = client.call("tools/call", "{\"name\":\"ask\"}");
        assertTrue(r.at("/result/isError").asBoolean());
        assertTrue(r.at("/result/content/0/text").asText().contains("does not support sampling"));
    }

    @Test
    void resourcesPromptsAndCompletions() throws Exception {
        client.initialize("2025-11-25", "{}");
        assertEquals("read me", client.call("resources/read", "{\"uri\":\"test://readme\"}")
                .at("/result/contents/0/text").asText());
        assertEquals("item 42", client.call("resources/read", "{\"uri\":\"test://items/42\"}")
                .at("/result/contents/0/text").asText());
        JsonNode missing = client.call("resources/read", "{\"uri\":\"test://nothing\"}");
        assertEquals(-32002, missing.at("/error/code").asInt());
        assertEquals("test://nothing", missing.at("/error/data/uri").asText());
        assertEquals("test://items/{id}", client.call("resources/templates/list", null)
                .at("/result/resourceTemplates/0/uriTemplate").asText());

        assertEquals("Hello Ada", client.call("prompts/get", "{\"name\":\"greet\",\"arguments\":{\"name\":\"Ada\"}}")
                .at("/result/messages/0/content/text").asText());
        JsonNode noArg = client.call("prompts/get", "{\"name\":\"greet\"}");
        assertEquals(-32602, noArg.at("/error/code").asInt());
        assertTrue(noArg.at("/error/message").asText().contains("name"));
        JsonNode refused = client.call("prompts/get", "{\"name\":\"greet\",\"arguments\":{\"name\":\" \"}}");
        assertEquals(-32602, refused.at("/error/code").asInt(), "the plugin refused the caller's input: " + refused);
        assertEquals("Prompt 'greet': name must not be blank", refused.at("/error/message").asText());

        JsonNode c = client.call("completion/complete", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},"
                + "\"argument\":{\"name\":\"name\",\"value\":\"al\"}}");
        assertEquals(2, c.at("/result/completion/values").size());
        assertFalse(c.at("/result/completion/hasMore").asBoolean());
    }

    @Test
    void subscribersGetResourceUpdates() throws Exception {
        client.initialize("2025-11-25", "{}");
        assertEquals(-32002, client.call("resources/subscribe", "{\"uri\":\"test://nothing\"}").at("/error/code").asInt());
        client.call("resources/subscribe", "{\"uri\":\"test://readme\"}");
        client.core.sessions().broadcastResourceUpdated("test://readme");
        assertEquals("test://readme", client.nextWithMethod("notifications/resources/updated").at("/params/uri").asText());
        client.call("resources/unsubscribe", "{\"uri\":\"test://readme\"}");
        client.core.sessions().broadcastResourceUpdated("test://readme");
        Thread.sleep(50);
        assertTrue(client.received.isEmpty(), client.received.toString());
    }

    @Test
    void closingTheConnectionCancelsItsCalls() throws Exception {
        client.initialize("2025-11-25", "{}");
        client.send("tools/call", "{\"name\":\"slow\"}");
        assertTrue(slowStarted.await(5, TimeUnit.SECONDS));
        client.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!slowInterrupted.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(slowInterrupted.get());
        assertEquals(0, client.core.sessions().size());
    }
}
