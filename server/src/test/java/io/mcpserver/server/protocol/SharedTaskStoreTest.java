package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.tasks.TaskRecord;
import io.mcpserver.server.tasks.TaskStore;
import io.mcpserver.spi.client.InputRequest;
import io.mcpserver.spi.client.InputResponses;
import io.mcpserver.spi.tools.TaskSupport;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two cores ("nodes") sharing one task store, as a cluster's Redis shares it: a task created on node a is read on
 * node b, cancelled from b (the cancel reaches the work running on a), answered from b (the input responses reach
 * the task waiting on a), and failed by b when the node running it is gone.
 */
class SharedTaskStoreTest {

    private static final String V = "2026-07-28";
    private static final String TASKS = "{\"elicitation\":{},\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}";
    private static final Map<String, Object> NAME_SCHEMA = Map.of("type", "object",
            "properties", Map.of("name", Map.of("type", "string")));

    /** One store for both nodes: what each node writes the other reads; what one relays, every node hears. */
    static final class SharedStore implements TaskStore {
        final TaskStore records = TaskStore.inMemory(Clock.systemUTC());
        final List<BiConsumer<String, ObjectNode>> listeners = new CopyOnWriteArrayList<>();
        volatile boolean runnerGone;

        @Override
        public void create(TaskRecord record) {
            records.create(record);
        }

        @Override
        public Optional<TaskRecord> get(String id) {
            return records.get(id);
        }

        @Override
        public Optional<TaskRecord> update(String id, UnaryOperator<TaskRecord> change) {
            return records.update(id, change);
        }

        @Override
        public int purgeExpired(Instant now) {
            return records.purgeExpired(now);
        }

        @Override
        public void relay(String id, ObjectNode responses) {
            listeners.forEach(l -> Thread.ofVirtual().start(() -> l.accept(id, responses))); // like pub/sub: later
        }

        @Override
        public void onRelay(BiConsumer<String, ObjectNode> listener) {
            listeners.add(listener);
        }

        @Override
        public boolean runnerGone(String id) {
            return runnerGone;
        }
    }

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final SharedStore store = new SharedStore();
    private TestClient a;
    private TestClient b;

    @BeforeEach
    void setUp() {
        a = new TestClient(node());
        b = new TestClient(node());
    }

    private McpCore node() {
        List<Tool> tools = List.of(
                Tool.of(ToolDescriptor.builder("gated").taskSupport(TaskSupport.OPTIONAL).build(), (args, ctx) -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                    return ToolResult.text("released");
                }),
                Tool.of(ToolDescriptor.builder("ask").taskSupport(TaskSupport.OPTIONAL).build(), (args, ctx) -> {
                    InputResponses r = ctx.ask(Map.of("name", InputRequest.elicit("Name?", NAME_SCHEMA)));
                    return ToolResult.text("Hello " + r.elicitation("name").content().get("name"));
                }));
        McpCore core = TestClient.core(TestClient.settings(100, Duration.ofSeconds(30)), tools, List.of(), List.of(),
                List.of(), List.of());
        core.tasks().shareStore(store);
        return core;
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        a.close();
        b.close();
    }

    private static String params(String body) throws Exception {
        ObjectNode params = (ObjectNode) Json.parse(body);
        ObjectNode meta = params.putObject("_meta");
        meta.put(RequestMeta.PROTOCOL_VERSION, V);
        meta.set(RequestMeta.CLIENT_CAPABILITIES, Json.parse(TASKS));
        return Json.write(params);
    }

    private static JsonNode task(TestClient node, String id) throws Exception {
        return node.call("tasks/get", params("{\"taskId\":\"" + id + "\"}")).get("result");
    }

    private static JsonNode awaitStatus(TestClient node, String id, String status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode t = null;
        while (System.nanoTime() < deadline) {
            t = task(node, id);
            if (status.equals(t.path("status").asText())) {
                return t;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("task " + id + " never became " + status + ": " + t);
    }

    @Test
    void aTaskCreatedOnOneNodeIsReadAndItsResultSeenOnTheOther() throws Exception {
        String id = a.call("tools/call", params("{\"name\":\"gated\"}")).at("/result/taskId").asText();
        assertEquals("working", task(b, id).path("status").asText());
        release.countDown();
        assertEquals("released", awaitStatus(b, id, "completed").at("/result/content/0/text").asText());
    }

    @Test
    void aCancelOnTheOtherNodeStopsTheWork() throws Exception {
        String id = a.call("tools/call", params("{\"name\":\"gated\"}")).at("/result/taskId").asText();
        b.call("tasks/cancel", params("{\"taskId\":\"" + id + "\"}"));
        assertEquals("cancelled", task(a, id).path("status").asText());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!interrupted.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(interrupted.get(), "the work on node a is interrupted");
        assertEquals("cancelled", task(b, id).path("status").asText(), "and stays cancelled");
    }

    @Test
    void inputResponsesSentToTheOtherNodeReachTheWaitingTask() throws Exception {
        String id = a.call("tools/call", params("{\"name\":\"ask\"}")).at("/result/taskId").asText();
        awaitStatus(b, id, "input_required");
        b.call("tasks/update", params("{\"taskId\":\"" + id + "\",\"inputResponses\":{\"name\":"
                + "{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}}}"));
        assertEquals("Hello Ada", awaitStatus(b, id, "completed").at("/result/content/0/text").asText());
    }

    @Test
    void aTaskWhoseNodeIsGoneFailsInsteadOfWorkingForever() throws Exception {
        String id = a.call("tools/call", params("{\"name\":\"gated\"}")).at("/result/taskId").asText();
        assertEquals("working", task(b, id).path("status").asText());
        store.runnerGone = true;
        assertEquals("working", task(a, id).path("status").asText(), "the node running it knows better");
        JsonNode failed = task(b, id);
        assertEquals("failed", failed.path("status").asText(), failed.toString());
        assertTrue(failed.at("/error/message").asText().contains("stopped"), failed.toString());
    }
}
