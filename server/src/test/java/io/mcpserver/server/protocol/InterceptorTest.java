package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.McpProtocolException;
import io.mcpserver.spi.intercept.InterceptedRequest;
import io.mcpserver.spi.intercept.Interceptor;
import io.mcpserver.spi.intercept.InterceptorChain;
import io.mcpserver.spi.intercept.RequestFailedException;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.tools.TaskSupport;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolAnnotations;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Interceptors around requests in the core: what they see, what they may change, and how their faults end. */
class InterceptorTest {

    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger echoCalls = new AtomicInteger();
    private final AtomicInteger taskRuns = new AtomicInteger();
    private TestClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    private static Interceptor interceptor(String name, int order,
                                           BiFunction<InterceptedRequest, InterceptorChain, Map<String, Object>> body) {
        return new Interceptor() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int order() {
                return order;
            }

            @Override
            public Map<String, Object> intercept(InterceptedRequest request, InterceptorChain chain) {
                return body.apply(request, chain);
            }
        };
    }

    private TestClient start(Map<String, List<Interceptor>> byPlugin) throws InterruptedException {
        return start(byPlugin, true);
    }

    /** @param initialize false for a client of the stateless 2026-07-28 era, which sends its version in _meta */
    private TestClient start(Map<String, List<Interceptor>> byPlugin, boolean initialize) throws InterruptedException {
        FeatureRegistry registry = new FeatureRegistry();
        Tool echo = Tool.of(ToolDescriptor.builder("echo").param("text", "string", "what to echo", true)
                .annotations(ToolAnnotations.builder().readOnlyHint(true).idempotentHint(true).build()).build(),
                (args, ctx) -> {
                    echoCalls.incrementAndGet();
                    return ToolResult.text(String.valueOf(args.get("text")));
                });
        Prompt greet = Prompt.of(PromptDescriptor.builder("greet").argument("who", "whom", true).build(),
                (args, ctx) -> PromptResult.ofUserText("greeting", "hello " + args.get("who")));
        Tool taskEcho = Tool.of(ToolDescriptor.builder("task_echo").param("text", "string", "what to echo", true)
                .taskSupport(TaskSupport.OPTIONAL).build(), (args, ctx) -> {
                    taskRuns.incrementAndGet();
                    return ToolResult.text(String.valueOf(args.get("text")));
                });
        registry.register(new Contributions(new Owner("test", getClass().getClassLoader()), List.of(echo, taskEcho),
                List.of(), List.of(), List.of(greet), List.of()));
        byPlugin.forEach((plugin, list) -> registry.register(new Contributions(
                new Owner(plugin, getClass().getClassLoader()), List.of(), List.of(), List.of(), List.of(),
                List.of(), list)));
        McpCore core = new McpCore(TestClient.settings(50, Duration.ofSeconds(10)), registry,
                AccessPolicy.ALLOW_ALL, false);
        client = new TestClient(core);
        if (initialize) {
            client.initialize("2025-11-25", "{}");
        }
        return client;
    }

    @Test
    void seesCallerTransportSessionMethodTargetAndArguments() throws Exception {
        List<InterceptedRequest> requests = Collections.synchronizedList(new ArrayList<>());
        start(Map.of("p", List.of(interceptor("look", 0, (r, chain) -> {
            requests.add(r);
            return chain.proceed(r);
        }))));
        JsonNode r = client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"},"
                + "\"_meta\":{\"com.example/x\":1}}");
        assertEquals("hi", r.at("/result/content/0/text").asText());
        InterceptedRequest call = requests.stream().filter(q -> q.method().equals("tools/call")).findFirst().orElseThrow();
        assertEquals("tester", call.caller().subject());
        assertEquals("test", call.transport());
        assertTrue(call.sessionId().isPresent());
        assertEquals("echo", call.target().orElseThrow());
        assertEquals(Map.of("text", "hi"), call.arguments());
        assertEquals(Map.of("com.example/x", 1), call.meta());
        assertTrue(call.tool().orElseThrow().annotations().readOnlyHint());

        client.call("prompts/get", "{\"name\":\"greet\",\"arguments\":{\"who\":\"you\"}}");
        InterceptedRequest prompt = requests.stream().filter(q -> q.method().equals("prompts/get")).findFirst()
                .orElseThrow();
        assertEquals("greet", prompt.target().orElseThrow());
        assertTrue(prompt.tool().isEmpty());
        assertEquals(Map.of("who", "you"), prompt.arguments());
    }

    @Test
    void runInOrderLowestFirstThenByPluginName() throws Exception {
        start(Map.of(
                "b-plugin", List.of(interceptor("second", 0, (r, c) -> trace("second", r, c))),
                "a-plugin", List.of(interceptor("first", 0, (r, c) -> trace("first", r, c)),
                        interceptor("outer", -5, (r, c) -> trace("outer", r, c)))));
        seen.clear();
        client.call("ping", null);
        assertEquals(List.of("outer>", "first>", "second>", "<second", "<first", "<outer"), seen);
    }

    private Map<String, Object> trace(String name, InterceptedRequest r, InterceptorChain chain) {
        seen.add(name + ">");
        try {
            return chain.proceed(r);
        } finally {
            seen.add("<" + name);
        }
    }

    @Test
    void refusesWithAnErrorOfItsChoosing() throws Exception {
        start(Map.of("p", List.of(interceptor("deny", 0, (r, chain) -> {
            if ("tools/call".equals(r.method())) {
                throw new McpProtocolException(-31001, "echo is closed today", Map.of("retryAfter", 60));
            }
            return chain.proceed(r);
        }))));
        JsonNode r = client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
        assertEquals(-31001, r.at("/error/code").asInt());
        assertEquals("echo is closed today", r.at("/error/message").asText());
        assertEquals(60, r.at("/error/data/retryAfter").asInt());
        assertEquals(0, echoCalls.get());
    }

    @Test
    void rewritesArgumentsAndResultsAndAddsMeta() throws Exception {
        start(Map.of("p", List.of(interceptor("shout", 0, (r, chain) -> {
            if (!"tools/call".equals(r.method())) {
                return chain.proceed(r);
            }
            Map<String, Object> args = new LinkedHashMap<>(r.arguments());
            args.put("text", String.valueOf(args.get("text")).toUpperCase());
            Map<String, Object> result = chain.proceed(r.withArguments(args));
            return Interceptor.withMeta(result, "com.example/shouted", true);
        }))));
        JsonNode r = client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
        assertEquals("HI", r.at("/result/content/0/text").asText());
        assertTrue(r.at("/result/_meta/com.example~1shouted").asBoolean());
    }

    @Test
    void rewrittenArgumentsAreValidatedAgainstTheSchema() throws Exception {
        start(Map.of("p", List.of(interceptor("drop", 0, (r, chain) -> "tools/call".equals(r.method())
                ? chain.proceed(r.withArguments(Map.of())) : chain.proceed(r)))));
        JsonNode r = client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
        assertEquals(0, echoCalls.get());
        assertTrue(r.has("error") || r.at("/result/isError").asBoolean(), r.toString());
    }

    @Test
    void observesTimingAndTheErrorOutcome() throws Exception {
        List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
        start(Map.of("p", List.of(interceptor("watch", 0, (r, chain) -> {
            long t0 = System.nanoTime();
            try {
                Map<String, Object> result = chain.proceed(r);
                outcomes.add(r.method() + " ok " + (System.nanoTime() - t0 >= 0));
                return result;
            } catch (RequestFailedException e) {
                outcomes.add(r.method() + " " + e.code());
                throw e;
            }
        }))));
        outcomes.clear();
        JsonNode unknown = client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":5}}");
        JsonNode missing = client.call("prompts/get", "{\"name\":\"greet\",\"arguments\":{}}");
        assertEquals(-32602, missing.at("/error/code").asInt(), missing.toString());
        assertTrue(outcomes.contains("prompts/get -32602"), outcomes.toString());
        assertTrue(outcomes.stream().anyMatch(o -> o.startsWith("tools/call")), outcomes + " " + unknown);
    }

    @Test
    void answersWithoutRunningTheMethod() throws Exception {
        start(Map.of("p", List.of(interceptor("canned", 0, (r, chain) -> "tools/call".equals(r.method())
                ? Map.of("content", List.of(Map.of("type", "text", "text", "canned"))) : chain.proceed(r)))));
        JsonNode r = client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
        assertEquals("canned", r.at("/result/content/0/text").asText());
        assertEquals(0, echoCalls.get());
    }

    @Test
    void aThrowingInterceptorIsLoggedOnceAnswered32603AndTheSessionLives() throws Exception {
        AtomicInteger outerSawCode = new AtomicInteger();
        start(Map.of(
                "a", List.of(interceptor("outer", -1, (r, chain) -> {
                    try {
                        return chain.proceed(r);
                    } catch (RequestFailedException e) {
                        outerSawCode.set(e.code());
                        throw e;
                    }
                })),
                "b", List.of(interceptor("broken", 0, (r, chain) -> {
                    if ("tools/call".equals(r.method())) {
                        throw new IllegalStateException("interceptor bug");
                    }
                    return chain.proceed(r);
                }))));
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Logger logger = Logger.getLogger("io.mcpserver.server");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            JsonNode r = client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
            assertEquals(-32603, r.at("/error/code").asInt());
            assertFalse(r.toString().contains("interceptor bug"), "no internals on the wire: " + r);
            assertEquals(-32603, outerSawCode.get());
            assertEquals(0, echoCalls.get());
            JsonNode ping = client.call("ping", null);
            assertTrue(ping.has("result"), "the session goes on: " + ping);
            JsonNode prompt = client.call("prompts/get", "{\"name\":\"greet\",\"arguments\":{\"who\":\"x\"}}");
            assertTrue(prompt.has("result"), prompt.toString());
        } finally {
            logger.removeHandler(capture);
        }
        List<LogRecord> about = records.stream().filter(rec -> rec.getThrown() != null
                && "interceptor bug".equals(rec.getThrown().getMessage())).toList();
        assertEquals(1, about.size(), "logged once with its cause: " + records.stream().map(LogRecord::getMessage).toList());
        assertTrue(about.get(0).getMessage().contains("broken"), about.get(0).getMessage());
    }

    @Test
    void aCancelledRequestIsNoFaultOfTheInterceptorItWasIn() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        start(Map.of("p", List.of(interceptor("sleepy", 0, (r, chain) -> {
            if ("tools/call".equals(r.method())) {
                entered.countDown();
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException("woken up", e);
                }
            }
            return chain.proceed(r);
        }))));
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Logger logger = Logger.getLogger("io.mcpserver.server");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        int id;
        try {
            id = client.send("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
            assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
            client.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":"
                    + id + "}}");
            assertTrue(client.call("ping", null).has("result"));
            Thread.sleep(200); // the cancelled request's thread ends
        } finally {
            logger.removeHandler(capture);
        }
        assertTrue(records.stream().noneMatch(rec -> rec.getMessage() != null && rec.getMessage().contains("sleepy")),
                records.stream().map(LogRecord::getMessage).toList().toString());
        assertTrue(client.received.stream().noneMatch(m -> m.has("id") && m.get("id").asInt() == id && m.has("error")),
                "a cancelled request gets no answer: " + client.received);
    }

    /** Creates a 2025-11-25 task of {@code task_echo} and waits for its outcome ({@code tasks/result}). */
    private JsonNode runAsTask(String text, List<String> createdIds) throws InterruptedException {
        JsonNode created = client.call("tools/call", "{\"name\":\"task_echo\",\"arguments\":{\"text\":\"" + text
                + "\"},\"task\":{}}");
        String id = created.at("/result/task/taskId").asText();
        assertFalse(id.isEmpty(), created.toString());
        createdIds.add(id);
        return client.call("tasks/result", "{\"taskId\":\"" + id + "\"}");
    }

    @Test
    void aTaskRunPassesTheInterceptorsAgainWithItsIdAndTheirRewritesAreTheTasksResult() throws Exception {
        List<String> passes = Collections.synchronizedList(new ArrayList<>());
        start(Map.of("p", List.of(interceptor("shout-in-tasks", 0, (r, chain) -> {
            if (!"tools/call".equals(r.method())) {
                return chain.proceed(r);
            }
            passes.add(r.taskId().orElse("create") + " " + r.arguments().get("text"));
            if (r.taskId().isEmpty()) { // the create pass: the arguments it passes on are the task's
                return chain.proceed(r.withArguments(Map.of("text", r.arguments().get("text") + "!")));
            }
            Map<String, Object> args = new LinkedHashMap<>(r.arguments());
            args.put("text", String.valueOf(args.get("text")).toUpperCase());
            return Interceptor.withMeta(chain.proceed(r.withArguments(args)), "com.example/task", r.taskId().get());
        }))));
        List<String> ids = new ArrayList<>();
        JsonNode result = runAsTask("hi", ids);
        String id = ids.get(0);
        assertEquals("HI!", result.at("/result/content/0/text").asText(), "the run's rewrites: " + result);
        assertEquals(id, result.at("/result/_meta/com.example~1task").asText(), result.toString());
        assertEquals(List.of("create hi", id + " hi!"), passes, "the create pass, then the run with the task's id");
        assertEquals(1, taskRuns.get());
    }

    @Test
    void inThe2026EraTooATaskRunPassesTheInterceptorsAndItsRewrittenResultIsTheTasks() throws Exception {
        List<String> passes = Collections.synchronizedList(new ArrayList<>());
        start(Map.of("p", List.of(interceptor("mark", 0, (r, chain) -> {
            if (!"tools/call".equals(r.method())) {
                return chain.proceed(r);
            }
            passes.add(r.taskId().orElse("create"));
            Map<String, Object> result = chain.proceed(r);
            return r.taskId().isPresent() ? Interceptor.withMeta(result, "com.example/run", true) : result;
        }))), false);
        String meta = "\"_meta\":{\"" + RequestMeta.PROTOCOL_VERSION + "\":\"2026-07-28\",\""
                + RequestMeta.CLIENT_CAPABILITIES + "\":{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}}";
        JsonNode created = client.call("tools/call", "{\"name\":\"task_echo\",\"arguments\":{\"text\":\"new\"},"
                + meta + "}");
        assertEquals("task", created.at("/result/resultType").asText(), created.toString());
        String id = created.at("/result/taskId").asText();
        JsonNode task = null;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); System.nanoTime() < deadline; ) {
            task = client.call("tasks/get", "{\"taskId\":\"" + id + "\"," + meta + "}").get("result");
            if ("completed".equals(task.path("status").asText())) {
                break;
            }
            Thread.sleep(20);
        }
        assertEquals("completed", task.path("status").asText(), String.valueOf(task));
        assertEquals("new", task.at("/result/content/0/text").asText(), task.toString());
        assertTrue(task.at("/result/_meta/com.example~1run").asBoolean(), "the run's rewrite is the task's result: "
                + task);
        assertEquals(List.of("create", id), passes);
    }

    @Test
    void anInterceptorRefusingATasksRunFailsTheTaskWithItsErrorAndTheToolNeverRuns() throws Exception {
        start(Map.of("p", List.of(interceptor("no-runs", 0, (r, chain) -> {
            if (r.taskId().isPresent()) {
                throw new McpProtocolException(-31002, "no background work today", Map.of("task", r.taskId().get()));
            }
            return chain.proceed(r);
        }))));
        List<String> ids = new ArrayList<>();
        JsonNode result = runAsTask("hi", ids);
        assertEquals(-31002, result.at("/error/code").asInt(), result.toString());
        assertEquals("no background work today", result.at("/error/message").asText());
        assertEquals(ids.get(0), result.at("/error/data/task").asText());
        assertEquals("failed", client.call("tasks/get", "{\"taskId\":\"" + ids.get(0) + "\"}")
                .at("/result/status").asText());
        assertEquals(0, taskRuns.get());
    }

    @Test
    void aThrowingInterceptorInATasksRunFailsTheTask32603AndTheSessionLives() throws Exception {
        start(Map.of("p", List.of(interceptor("broken-in-tasks", 0, (r, chain) -> {
            if (r.taskId().isPresent()) {
                throw new IllegalStateException("interceptor bug in a task");
            }
            return chain.proceed(r);
        }))));
        List<String> ids = new ArrayList<>();
        JsonNode result = runAsTask("hi", ids);
        assertEquals(-32603, result.at("/error/code").asInt(), result.toString());
        assertFalse(result.toString().contains("interceptor bug"), "no internals on the wire: " + result);
        assertEquals(0, taskRuns.get());
        assertTrue(client.call("ping", null).has("result"));
    }

    @Test
    void anInterceptorSeesTheTimeOfTheRunNotOnlyOfTheCreation() throws Exception {
        List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
        start(Map.of("p", List.of(interceptor("watch", 0, (r, chain) -> {
            Map<String, Object> result = chain.proceed(r);
            if ("tools/call".equals(r.method())) {
                outcomes.add(r.taskId().isPresent() ? "run: " + result.get("content")
                        : "create: " + result.keySet());
            }
            return result;
        }))));
        runAsTask("observed", new ArrayList<>());
        // either may end first: the task starts running while the create pass is still returning
        assertEquals(2, outcomes.size(), outcomes.toString());
        assertTrue(outcomes.contains("create: [task]"), outcomes.toString());
        assertTrue(outcomes.stream().anyMatch(o -> o.startsWith("run: ") && o.contains("observed")),
                outcomes.toString());
    }

    @Test
    void withoutInterceptorsTheMethodRunsAsBefore() throws Exception {
        start(Map.of());
        JsonNode r = client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
        assertEquals("hi", r.at("/result/content/0/text").asText());
    }

    @Test
    void anUnregisteredPluginsInterceptorsStopAtOnce() throws Exception {
        start(Map.of("p", List.of(interceptor("canned", 0, (r, chain) -> "tools/call".equals(r.method())
                ? Map.of("content", List.of(Map.of("type", "text", "text", "canned"))) : chain.proceed(r)))));
        assertEquals("canned", client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}")
                .at("/result/content/0/text").asText());
        client.core.features().unregister("p");
        assertEquals("hi", client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}")
                .at("/result/content/0/text").asText());
    }
}
