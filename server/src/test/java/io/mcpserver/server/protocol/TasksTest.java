package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.InputRequest;
import io.mcpserver.spi.client.InputResponses;
import io.mcpserver.spi.tools.TaskSupport;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Tasks extension (io.modelcontextprotocol/tasks, 2026-07-28) through the protocol core. */
class TasksTest {

    private static final String V = "2026-07-28";
    private static final String TASKS = "{\"elicitation\":{},\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}";
    private static final Map<String, Object> NAME_SCHEMA = Map.of("type", "object",
            "properties", Map.of("name", Map.of("type", "string")));

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean slowInterrupted = new AtomicBoolean();
    private McpCore core;
    private TestClient client;

    @BeforeEach
    void setUp() {
        List<Tool> tools = new ArrayList<>();
        tools.add(Tool.of(ToolDescriptor.builder("sync").build(), (args, ctx) -> ToolResult.text("sync done")));
        tools.add(Tool.of(ToolDescriptor.builder("gated").taskSupport(TaskSupport.OPTIONAL).build(), (args, ctx) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                slowInterrupted.set(true);
                throw e;
            }
            return ToolResult.text("released");
        }));
        tools.add(Tool.of(ToolDescriptor.builder("only_task").taskSupport(TaskSupport.REQUIRED).build(),
                (args, ctx) -> ToolResult.error("it went wrong")));
        tools.add(Tool.of(ToolDescriptor.builder("crash").taskSupport(TaskSupport.REQUIRED).build(), (args, ctx) -> {
            throw new AssertionError("simulated crash");
        }));
        tools.add(Tool.of(ToolDescriptor.builder("two_asks").taskSupport(TaskSupport.OPTIONAL).build(),
                (args, ctx) -> {
                    InputResponses a = ctx.ask(Map.of("first", InputRequest.elicit("First?", NAME_SCHEMA),
                            "second", InputRequest.elicit("Second?", NAME_SCHEMA)));
                    return ToolResult.text(a.elicitation("first").content().get("name") + "+"
                            + a.elicitation("second").content().get("name"));
                }));
        tools.add(Tool.of(ToolDescriptor.builder("ask_then_task").taskSupport(TaskSupport.REQUIRED)
                .deferTaskStart(true).build(), (args, ctx) -> {
                    ElicitationResult name = ctx.elicit("Name?", NAME_SCHEMA);
                    assertTrue(ctx.startTask());
                    return ToolResult.text("Hello " + name.content().get("name"));
                }));
        core = TestClient.core(TestClient.settings(100, Duration.ofSeconds(30)), tools, List.of(), List.of(),
                List.of(), List.of());
        client = new TestClient(core);
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        client.close();
    }

    private static String params(String body, String capabilities) {
        ObjectNode params = (ObjectNode) parse(body == null ? "{}" : body);
        ObjectNode meta = params.putObject("_meta");
        meta.put(RequestMeta.PROTOCOL_VERSION, V);
        meta.set(RequestMeta.CLIENT_CAPABILITIES, parse(capabilities));
        return Json.write(params);
    }

    private JsonNode call(String method, String body, String caps) throws InterruptedException {
        return client.call(method, params(body, caps));
    }

    private JsonNode task(String id) throws InterruptedException {
        return call("tasks/get", "{\"taskId\":\"" + id + "\"}", TASKS).get("result");
    }

    private JsonNode awaitStatus(String id, String... statuses) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode t = task(id);
            if (List.of(statuses).contains(t.path("status").asText())) {
                return t;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("task " + id + " never reached " + List.of(statuses) + ": " + task(id));
    }

    @Test
    void discoverAdvertisesTheExtension() throws Exception {
        JsonNode caps = call("server/discover", null, "{}").at("/result/capabilities");
        assertTrue(caps.at("/extensions").has("io.modelcontextprotocol/tasks"), caps.toString());
        assertFalse(caps.has("tasks"), "the extension replaces the 2025-11-25 capability");
    }

    @Test
    void aTaskIsCreatedAtOncePolledAndItsResultInlined() throws Exception {
        JsonNode created = call("tools/call", "{\"name\":\"gated\"}", TASKS).get("result");
        assertEquals("task", created.path("resultType").asText());
        String id = created.path("taskId").asText();
        assertEquals("working", created.path("status").asText());
        assertTrue(created.path("ttlMs").isIntegralNumber() && created.path("ttlMs").asLong() > 0);
        assertTrue(created.path("pollIntervalMs").asLong() > 0);
        Instant.parse(created.path("createdAt").asText());
        assertFalse(created.has("content") || created.has("requestState") || created.has("task"));

        JsonNode working = task(id); // durable before the answer: found at once
        assertEquals("working", working.path("status").asText());
        assertEquals("complete", working.path("resultType").asText());
        assertFalse(working.has("result"));
        release.countDown();
        JsonNode done = awaitStatus(id, "completed");
        assertEquals("released", done.at("/result/content/0/text").asText());
        assertFalse(done.has("error"));

        JsonNode ack = call("tasks/cancel", "{\"taskId\":\"" + id + "\"}", TASKS).get("result");
        assertEquals("complete", ack.path("resultType").asText());
        assertFalse(ack.has("status") || ack.has("taskId"));
        assertEquals("completed", task(id).path("status").asText(), "a finished task keeps its status");
    }

    @Test
    void cancelStopsTheWork() throws Exception {
        String id = call("tools/call", "{\"name\":\"gated\"}", TASKS).at("/result/taskId").asText();
        call("tasks/cancel", "{\"taskId\":\"" + id + "\"}", TASKS);
        assertEquals("cancelled", awaitStatus(id, "cancelled").path("status").asText());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!slowInterrupted.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(slowInterrupted.get(), "the task's thread is interrupted");
        assertEquals("cancelled", task(id).path("status").asText());
    }

    @Test
    void toolErrorsCompleteAndCrashesFail() throws Exception {
        String failing = call("tools/call", "{\"name\":\"only_task\"}", TASKS).at("/result/taskId").asText();
        JsonNode done = awaitStatus(failing, "completed", "failed");
        assertEquals("completed", done.path("status").asText());
        assertTrue(done.at("/result/isError").asBoolean());

        String crash = call("tools/call", "{\"name\":\"crash\"}", TASKS).at("/result/taskId").asText();
        JsonNode failed = awaitStatus(crash, "completed", "failed");
        assertEquals("failed", failed.path("status").asText());
        assertEquals(-32603, failed.at("/error/code").asInt());
        assertFalse(failed.has("result"));
    }

    @Test
    void withoutTheExtensionOptionalToolsRunAsCallsAndRequiredOnesAreRefused() throws Exception {
        release.countDown();
        JsonNode sync = call("tools/call", "{\"name\":\"gated\",\"task\":{\"ttl\":1000}}", "{}").get("result");
        assertEquals("complete", sync.path("resultType").asText());
        assertEquals("released", sync.at("/content/0/text").asText());
        JsonNode syncTool = call("tools/call", "{\"name\":\"sync\"}", TASKS).get("result");
        assertEquals("complete", syncTool.path("resultType").asText(), "a tool without task support is never a task");

        JsonNode refused = call("tools/call", "{\"name\":\"only_task\"}", "{}");
        assertEquals(-32021, refused.at("/error/code").asInt());
        assertTrue(refused.at("/error/data/requiredCapabilities/extensions").has("io.modelcontextprotocol/tasks"));
        for (String method : List.of("tasks/get", "tasks/update", "tasks/cancel")) {
            assertEquals(-32021, call(method, "{\"taskId\":\"x\",\"inputResponses\":{}}", "{}").at("/error/code")
                    .asInt(), method);
        }
        assertEquals(-32602, call("tasks/get", "{\"taskId\":\"nope\"}", TASKS).at("/error/code").asInt());
        assertEquals(-32601, call("tasks/result", "{\"taskId\":\"nope\"}", TASKS).at("/error/code").asInt());
        assertEquals(-32601, call("tasks/list", "{}", TASKS).at("/error/code").asInt());
    }

    @Test
    void aTaskWaitsForInputAndTakesAnswersOneAtATime() throws Exception {
        String id = call("tools/call", "{\"name\":\"two_asks\"}", TASKS).at("/result/taskId").asText();
        JsonNode waiting = awaitStatus(id, "input_required");
        assertEquals(Set.of("first", "second"), Set.copyOf(names(waiting.path("inputRequests"))));
        assertEquals("elicitation/create", waiting.at("/inputRequests/first/method").asText());

        JsonNode ack = call("tasks/update", "{\"taskId\":\"" + id + "\",\"inputResponses\":{\"first\":"
                + "{\"action\":\"accept\",\"content\":{\"name\":\"a\"}},\"unknown\":{}}}", TASKS).get("result");
        assertEquals("complete", ack.path("resultType").asText());
        JsonNode partly = task(id);
        assertEquals("input_required", partly.path("status").asText());
        assertEquals(List.of("second"), names(partly.path("inputRequests")));
        call("tasks/update", "{\"taskId\":\"" + id + "\",\"inputResponses\":{\"second\":"
                + "{\"action\":\"accept\",\"content\":{\"name\":\"b\"}}}}", TASKS);
        assertEquals("a+b", awaitStatus(id, "completed").at("/result/content/0/text").asText());
    }

    @Test
    void aToolMayAskWithinTheRequestThenStartItsTask() throws Exception {
        JsonNode first = call("tools/call", "{\"name\":\"ask_then_task\"}", TASKS).get("result");
        assertEquals("input_required", first.path("resultType").asText());
        assertFalse(first.has("taskId"));
        String key = names(first.path("inputRequests")).getFirst();
        ObjectNode retry = (ObjectNode) parse(params("{\"name\":\"ask_then_task\"}", TASKS));
        retry.put("requestState", first.path("requestState").asText());
        retry.set("inputResponses", parse("{\"" + key
                + "\":{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}}"));
        JsonNode created = client.call("tools/call", Json.write(retry)).get("result");
        assertEquals("task", created.path("resultType").asText(), created.toString());
        assertFalse(created.has("requestState") || created.has("inputRequests"));
        assertEquals("Hello Alice", awaitStatus(created.path("taskId").asText(), "completed")
                .at("/result/content/0/text").asText());
    }

    @Test
    void beforeItStartsItsTaskAToolHasItsTimeLimit() throws Exception {
        Tool hangs = Tool.of(ToolDescriptor.builder("hangs").taskSupport(TaskSupport.REQUIRED).deferTaskStart(true)
                .build(), (args, ctx) -> {
                    Thread.sleep(30_000);
                    ctx.startTask();
                    return ToolResult.text("never");
                });
        McpCore quick = TestClient.core(TestClient.settings(100, Duration.ofMillis(300)), List.of(hangs), List.of(),
                List.of(), List.of(), List.of());
        try (TestClient c = new TestClient(quick)) {
            JsonNode r = c.call("tools/call", params("{\"name\":\"hangs\"}", TASKS)).get("result");
            assertTrue(r.path("isError").asBoolean(), r.toString());
            assertTrue(r.at("/content/0/text").asText().contains("timed out"), r.toString());
        }
    }

    @Test
    void aTaskIsOnlyItsOwners() throws Exception {
        String id = call("tools/call", "{\"name\":\"gated\"}", TASKS).at("/result/taskId").asText();
        LinkedBlockingQueue<ObjectNode> received = new LinkedBlockingQueue<>();
        ClientConnection other = new ClientConnection(core, "test",
                new Caller("someone-else", Set.of(), Set.of(), "test", null, Map.of()), received::add, 1 << 20);
        try {
            other.receive("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/get\",\"params\":"
                    + params("{\"taskId\":\"" + id + "\"}", TASKS) + "}");
            ObjectNode answer = received.poll(10, TimeUnit.SECONDS);
            assertEquals(-32602, answer.at("/error/code").asInt(), String.valueOf(answer));
        } finally {
            other.close();
        }
        assertEquals("working", task(id).path("status").asText());
    }

    @Test
    void legacySessionsOf20251125UseTheExperimentalTasks() throws Exception {
        JsonNode init = client.initialize("2025-11-25", "{\"elicitation\":{}}");
        JsonNode tasks = init.at("/result/capabilities/tasks");
        assertTrue(tasks.at("/requests/tools").has("call"), init.toString());
        assertFalse(tasks.has("list"), "tasks/list is not offered");
        JsonNode tools = client.call("tools/list", "{}").at("/result/tools");
        for (JsonNode t : tools) {
            String support = t.at("/execution/taskSupport").asText("forbidden");
            assertEquals(switch (t.path("name").asText()) {
                case "gated", "two_asks" -> "optional";
                case "only_task", "crash", "ask_then_task" -> "required";
                default -> "forbidden";
            }, support, t.toString());
        }

        JsonNode created = client.call("tools/call", "{\"name\":\"gated\",\"task\":{\"ttl\":60000}}")
                .get("result");
        String id = created.at("/task/taskId").asText();
        assertEquals("working", created.at("/task/status").asText(), created.toString());
        assertTrue(created.at("/task/ttl").asLong() > 0 && created.at("/task/pollInterval").asLong() > 0);
        JsonNode got = client.call("tasks/get", "{\"taskId\":\"" + id + "\"}").get("result");
        assertEquals("working", got.path("status").asText());
        assertFalse(got.has("resultType"), "legacy results carry no resultType");
        int waiting = client.send("tasks/result", "{\"taskId\":\"" + id + "\"}"); // blocks until the end
        Thread.sleep(100);
        release.countDown();
        JsonNode result = client.responseTo(waiting).get("result");
        assertEquals("released", result.at("/content/0/text").asText(), result.toString());
        assertEquals(id, result.at("/_meta/io.modelcontextprotocol~1related-task/taskId").asText());
        assertEquals(-32602, client.call("tasks/cancel", "{\"taskId\":\"" + id + "\"}").at("/error/code").asInt(),
                "2025-11-25 refuses to cancel a finished task");

        String failing = client.call("tools/call", "{\"name\":\"only_task\",\"task\":{}}").at("/result/task/taskId")
                .asText();
        JsonNode failed = client.call("tasks/result", "{\"taskId\":\"" + failing + "\"}").get("result");
        assertTrue(failed.path("isError").asBoolean(), "tasks/result answers what the call would have");
        assertEquals("failed", client.call("tasks/get", "{\"taskId\":\"" + failing + "\"}").at("/result/status")
                .asText(), "in 2025-11-25 a tool error fails the task");

        assertEquals(-32601, client.call("tools/call", "{\"name\":\"only_task\"}").at("/error/code").asInt());
        assertEquals(-32601, client.call("tools/call", "{\"name\":\"sync\",\"task\":{}}").at("/error/code").asInt());
        assertEquals(-32601, client.call("tasks/update", "{\"taskId\":\"" + id + "\"}").at("/error/code").asInt());
    }

    @Test
    void aLegacyTaskAsksTheClientOnTheSessionAndIsInputRequiredMeanwhile() throws Exception {
        client.initialize("2025-11-25", "{\"elicitation\":{}}");
        String id = client.call("tools/call", "{\"name\":\"two_asks\",\"task\":{}}").at("/result/task/taskId")
                .asText();
        for (int i = 0; i < 2; i++) { // one after the other, in the order the tool's map gives
            ObjectNode ask = client.nextWithMethod("elicitation/create");
            String name = ask.at("/params/message").asText().startsWith("First") ? "x" : "y";
            assertEquals(id, ask.at("/params/_meta/io.modelcontextprotocol~1related-task/taskId").asText());
            assertEquals("input_required", client.call("tasks/get", "{\"taskId\":\"" + id + "\"}")
                    .at("/result/status").asText());
            client.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":" + Json.write(ask.get("id"))
                    + ",\"result\":{\"action\":\"accept\",\"content\":{\"name\":\"" + name + "\"}}}");
        }
        JsonNode result = client.call("tasks/result", "{\"taskId\":\"" + id + "\"}").get("result");
        assertEquals("x+y", result.at("/content/0/text").asText(), result.toString());
    }

    private static JsonNode parse(String text) {
        try {
            return Json.parse(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
