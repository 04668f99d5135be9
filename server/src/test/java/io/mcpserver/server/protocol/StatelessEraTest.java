package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.InputRequest;
import io.mcpserver.spi.client.InputResponses;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
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
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stateless era (2026-07-28) through the protocol core, beside legacy sessions on the same core. */
class StatelessEraTest {

    private static final String V = "2026-07-28";
    private static final Map<String, Object> NAME_SCHEMA = Map.of("type", "object",
            "properties", Map.of("name", Map.of("type", "string")), "required", List.of("name"));

    private final AtomicInteger signupRuns = new AtomicInteger();
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final AtomicBoolean slowInterrupted = new AtomicBoolean();
    private McpCore core;
    private TestClient client;

    @BeforeEach
    void setUp() {
        core = core(io.mcpserver.server.config.ServerConfig.defaults().protocol().stateless());
        client = new TestClient(core);
    }

    private McpCore core(StatelessSettings stateless) {
        List<Tool> tools = new ArrayList<>();
        tools.add(Tool.of(ToolDescriptor.builder("add").param("a", "integer", "a", true)
                .param("b", "integer", "b", true).build(),
                (args, ctx) -> ToolResult.text(String.valueOf(((Number) args.get("a")).longValue()
                        + ((Number) args.get("b")).longValue()))));
        // asks twice, so a full run takes three rounds
        tools.add(Tool.of(ToolDescriptor.builder("signup").param("plan", "string", "plan", true).build(),
                (args, ctx) -> {
                    signupRuns.incrementAndGet();
                    ElicitationResult name = ctx.elicit("Your name?", NAME_SCHEMA);
                    if (!name.accepted()) {
                        return ToolResult.text("no name");
                    }
                    ElicitationResult sure = ctx.elicit("Sign " + name.content().get("name") + " up for "
                            + args.get("plan") + "?", Map.of("type", "object", "properties",
                            Map.of("ok", Map.of("type", "boolean"))));
                    return ToolResult.text(name.content().get("name") + " on " + args.get("plan") + ": "
                            + sure.content().get("ok"));
                }));
        tools.add(Tool.of(ToolDescriptor.builder("ask_model").build(),
                (args, ctx) -> ToolResult.text("model: " + ctx.sample(SamplingRequest.ofUserText("hi", 5)).text())));
        // a tool that swallows everything must still end with input_required
        tools.add(Tool.of(ToolDescriptor.builder("greedy").build(), (args, ctx) -> {
            try {
                ctx.roots();
                return ToolResult.text("roots known");
            } catch (Throwable t) {
                return ToolResult.text("swallowed " + t.getClass().getSimpleName());
            }
        }));
        tools.add(Tool.of(ToolDescriptor.builder("chatty").build(), (args, ctx) -> {
            ctx.progress(1, 2.0, "half");
            ctx.log(LogLevel.INFO, "chatty", "hello");
            return ToolResult.text("ok");
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
        // asks two named things in one round
        tools.add(Tool.of(ToolDescriptor.builder("trip").build(), (args, ctx) -> {
            InputResponses a = ctx.ask(Map.of(
                    "destination", InputRequest.elicit("Where to?", NAME_SCHEMA),
                    "budget", InputRequest.sample(SamplingRequest.ofUserText("Budget?", 10))));
            return ToolResult.text(a.elicitation("destination").content().get("name") + " for "
                    + a.sampling("budget").text());
        }));
        tools.add(Tool.of(ToolDescriptor.builder("sign_in").build(), (args, ctx) -> ToolResult.text("signed in: "
                + ctx.elicitUrl("Sign in to continue", "https://example.com/login?s=1", "login-1").action())));
        Resource secret = Resource.of(ResourceDescriptor.of("test://secret", "secret", null, "text/plain"),
                ctx -> List.of(ResourceContents.text("test://secret", "text/plain", "hello "
                        + ctx.ask(Map.of("who", InputRequest.elicit("Who?", NAME_SCHEMA))).elicitation("who")
                        .content().get("name"))));
        Resource readme = Resource.of(ResourceDescriptor.of("test://readme", "readme", null, "text/plain"),
                ctx -> List.of(ResourceContents.text("test://readme", "text/plain", "read me")));
        return TestClient.core(TestClient.settings(100, Duration.ofSeconds(30)).withStateless(stateless), tools,
                List.of(readme, secret), List.of(), List.of(), List.of());
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    /** Params with the per-request _meta of 2026-07-28. */
    private static String params(String body, String capabilities) {
        ObjectNode params = (ObjectNode) parse(body == null ? "{}" : body);
        ObjectNode meta = params.putObject("_meta");
        meta.put(RequestMeta.PROTOCOL_VERSION, V);
        meta.set(RequestMeta.CLIENT_CAPABILITIES, parse(capabilities));
        meta.putObject(RequestMeta.CLIENT_INFO).put("name", "stateless-test").put("version", "1");
        return Json.write(params);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.parse(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private JsonNode stateless(TestClient c, String method, String body) throws InterruptedException {
        return c.call(method, params(body, "{}"));
    }

    @Test
    void discoverNeedsNoHandshake() throws Exception {
        JsonNode r = stateless(client, "server/discover", null).get("result");
        assertEquals("complete", r.path("resultType").asText());
        assertEquals(V, r.at("/supportedVersions/0").asText());
        assertTrue(r.toString().contains("2025-11-25"), "legacy revisions are listed too: " + r);
        assertTrue(r.at("/capabilities/tools").isObject());
        assertEquals("mcp-server", r.at("/_meta/io.modelcontextprotocol~1serverInfo/name").asText());
        assertEquals("public", r.path("cacheScope").asText());
        assertEquals(60_000, r.path("ttlMs").asLong());
    }

    @Test
    void toolsAreListedAndCalledWithoutHandshake() throws Exception {
        JsonNode list = stateless(client, "tools/list", null).get("result");
        List<String> names = new ArrayList<>();
        list.path("tools").forEach(t -> names.add(t.path("name").asText()));
        assertEquals(List.of("add", "ask_model", "chatty", "greedy", "sign_in", "signup", "slow", "trip"), names);
        assertEquals("complete", list.path("resultType").asText());
        assertEquals("private", list.path("cacheScope").asText());
        assertTrue(list.has("ttlMs"));

        JsonNode call = stateless(client, "tools/call", "{\"name\":\"add\",\"arguments\":{\"a\":2,\"b\":3}}");
        assertEquals("5", call.at("/result/content/0/text").asText());
        assertEquals("complete", call.at("/result/resultType").asText());
        assertFalse(call.get("result").has("ttlMs"), "tool results are not cacheable");
        assertEquals("test", call.at("/result/_meta/io.modelcontextprotocol~1serverInfo/version").asText());

        JsonNode read = stateless(client, "resources/read", "{\"uri\":\"test://readme\"}").get("result");
        assertEquals("read me", read.at("/contents/0/text").asText());
        assertEquals(0, read.path("ttlMs").asLong());
        JsonNode missing = stateless(client, "resources/read", "{\"uri\":\"test://nothing\"}");
        assertEquals(-32602, missing.at("/error/code").asInt(), "resource not found is -32602 since 2026-07-28");
        assertEquals("test://nothing", missing.at("/error/data/uri").asText());
    }

    @Test
    void unsupportedVersionsAndMalformedMetaAreRefused() throws Exception {
        JsonNode old = client.call("tools/list", "{\"_meta\":{\"" + RequestMeta.PROTOCOL_VERSION
                + "\":\"1900-01-01\",\"" + RequestMeta.CLIENT_CAPABILITIES + "\":{}}}");
        assertEquals(-32022, old.at("/error/code").asInt());
        assertEquals("1900-01-01", old.at("/error/data/requested").asText());
        assertEquals(V, old.at("/error/data/supported/0").asText());
        // a legacy revision is only served after initialize
        JsonNode legacyInMeta = client.call("tools/list", "{\"_meta\":{\"" + RequestMeta.PROTOCOL_VERSION
                + "\":\"2025-11-25\",\"" + RequestMeta.CLIENT_CAPABILITIES + "\":{}}}");
        assertEquals(-32022, legacyInMeta.at("/error/code").asInt());
        assertTrue(legacyInMeta.at("/error/message").asText().contains("initialize"));

        JsonNode noCaps = client.call("tools/list", "{\"_meta\":{\"" + RequestMeta.PROTOCOL_VERSION + "\":\"" + V
                + "\"}}");
        assertEquals(-32602, noCaps.at("/error/code").asInt());
        assertTrue(noCaps.at("/error/message").asText().contains("clientCapabilities"));
        // server/discover is stateless-only, so a probe without _meta is a stateless error, not "initialize first"
        assertEquals(-32602, client.call("server/discover", null).at("/error/code").asInt());
        assertEquals(-32601, stateless(client, "ping", null).at("/error/code").asInt());
        JsonNode setLevel = stateless(client, "logging/setLevel", "{\"level\":\"debug\"}");
        assertEquals(-32601, setLevel.at("/error/code").asInt());
        assertTrue(setLevel.at("/error/message").asText().contains("logLevel"));
        assertEquals(-32601, stateless(client, "resources/subscribe", "{\"uri\":\"test://readme\"}")
                .at("/error/code").asInt());
        JsonNode badLevel = client.call("tools/list", "{\"_meta\":{\"" + RequestMeta.PROTOCOL_VERSION + "\":\"" + V
                + "\",\"" + RequestMeta.CLIENT_CAPABILITIES + "\":{},\"" + RequestMeta.LOG_LEVEL + "\":\"loud\"}}");
        assertEquals(-32602, badLevel.at("/error/code").asInt());
    }

    @Test
    void elicitationTakesRoundTripsAndResumesTheTool() throws Exception {
        String caps = "{\"elicitation\":{\"form\":{}}}";
        String call = "{\"name\":\"signup\",\"arguments\":{\"plan\":\"pro\"}}";
        JsonNode first = client.call("tools/call", params(call, caps)).get("result");
        assertEquals("input_required", first.path("resultType").asText());
        assertFalse(first.has("ttlMs"), "interim results carry no caching hints");
        JsonNode ask = first.at("/inputRequests/input-0");
        assertEquals("elicitation/create", ask.path("method").asText());
        assertEquals("form", ask.at("/params/mode").asText());
        assertEquals("Your name?", ask.at("/params/message").asText());
        String state = first.path("requestState").asText();

        JsonNode second = client.call("tools/call", retry(call, caps, state,
                "{\"input-0\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}}")).get("result");
        assertEquals("input_required", second.path("resultType").asText());
        assertEquals("Sign Ada up for pro?", second.at("/inputRequests/input-1/params/message").asText());

        // an answer the client left out is simply asked for again
        JsonNode again = client.call("tools/call", retry(call, caps, second.path("requestState").asText(), "{}"))
                .get("result");
        assertEquals("input_required", again.path("resultType").asText());
        assertTrue(again.at("/inputRequests/input-1").isObject());

        // a requestState is good for one retry: the one just used is spent, its successor carries on
        JsonNode replayed = client.call("tools/call", retry(call, caps, second.path("requestState").asText(),
                "{\"input-1\":{\"action\":\"accept\",\"content\":{\"ok\":true}}}"));
        assertEquals(-32602, replayed.at("/error/code").asInt());
        assertTrue(replayed.at("/error/message").asText().contains("already used"), replayed.toString());
        JsonNode done = client.call("tools/call", retry(call, caps, again.path("requestState").asText(),
                "{\"input-1\":{\"action\":\"accept\",\"content\":{\"ok\":true}}}")).get("result");
        assertEquals("complete", done.path("resultType").asText());
        assertEquals("Ada on pro: true", done.at("/content/0/text").asText());
        assertEquals(4, signupRuns.get(), "each round runs the tool again from the start");
    }

    @Test
    void oneRoundAsksSeveralNamedThingsAndResourceReadsMayAsk() throws Exception {
        String caps = "{\"elicitation\":{},\"sampling\":{}}";
        String call = "{\"name\":\"trip\"}";
        JsonNode first = client.call("tools/call", params(call, caps)).get("result");
        assertEquals("input_required", first.path("resultType").asText());
        assertEquals(Set.of("destination", "budget"), Set.copyOf(iterable(first.path("inputRequests").fieldNames())));
        assertEquals("sampling/createMessage", first.at("/inputRequests/budget/method").asText());
        // one answer now, the other on the next round: the first is kept in the new state
        JsonNode partial = client.call("tools/call", retry(call, caps, first.path("requestState").asText(),
                "{\"destination\":{\"action\":\"accept\",\"content\":{\"name\":\"Oslo\"}},\"extra\":{}}"))
                .get("result");
        assertEquals(List.of("budget"), iterable(partial.path("inputRequests").fieldNames()));
        JsonNode done = client.call("tools/call", retry(call, caps, partial.path("requestState").asText(),
                "{\"budget\":{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"100\"},"
                        + "\"model\":\"m\"}}")).get("result");
        assertEquals("Oslo for 100", done.at("/content/0/text").asText());

        // answers sent without a state answer what the run asks under their keys; a malformed one is refused
        ObjectNode unsealed = (ObjectNode) parse(params(call, caps));
        unsealed.set("inputResponses", parse("{\"destination\":{\"action\":\"accept\",\"content\":{\"name\":"
                + "\"Rome\"}},\"budget\":{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"5\"}}}"));
        assertEquals("Rome for 5", client.call("tools/call", Json.write(unsealed)).at("/result/content/0/text").asText());
        unsealed.set("inputResponses", parse("{\"destination\":12345}"));
        assertEquals(-32602, client.call("tools/call", Json.write(unsealed)).at("/error/code").asInt());

        String read = "{\"uri\":\"test://secret\"}";
        JsonNode ask = client.call("resources/read", params(read, caps)).get("result");
        assertEquals("elicitation/create", ask.at("/inputRequests/who/method").asText());
        JsonNode contents = client.call("resources/read", retry(read, caps, ask.path("requestState").asText(),
                "{\"who\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}}")).get("result");
        assertEquals("hello Ada", contents.at("/contents/0/text").asText());
        // without the capability, the read cannot ask: -32021
        assertEquals(-32021, client.call("resources/read", params(read, "{}")).at("/error/code").asInt());
    }

    @Test
    void urlModeElicitationNeedsItsOwnCapability() throws Exception {
        String call = "{\"name\":\"sign_in\"}";
        JsonNode refused = client.call("tools/call", params(call, "{\"elicitation\":{}}"));
        assertEquals(-32021, refused.at("/error/code").asInt(), refused.toString());
        assertTrue(refused.at("/error/data/requiredCapabilities/elicitation").has("url"), refused.toString());
        String caps = "{\"elicitation\":{\"url\":{}}}";
        JsonNode ask = client.call("tools/call", params(call, caps)).get("result");
        JsonNode request = ask.at("/inputRequests/url-elicitation");
        assertEquals("elicitation/create", request.path("method").asText(), ask.toString());
        assertEquals("url", request.at("/params/mode").asText());
        assertEquals("https://example.com/login?s=1", request.at("/params/url").asText());
        assertEquals("login-1", request.at("/params/elicitationId").asText());
        JsonNode done = client.call("tools/call", retry(call, caps, ask.path("requestState").asText(),
                "{\"url-elicitation\":{\"action\":\"accept\"}}")).get("result");
        assertEquals("signed in: accept", done.at("/content/0/text").asText());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    @Test
    void forgedOrMisusedRequestStateIsRefused() throws Exception {
        String caps = "{\"elicitation\":{}}";
        String call = "{\"name\":\"signup\",\"arguments\":{\"plan\":\"pro\"}}";
        String state = client.call("tools/call", params(call, caps)).at("/result/requestState").asText();
        String answer = "{\"input-0\":{\"action\":\"accept\",\"content\":{\"name\":\"Mallory\"}}}";
        int runs = signupRuns.get();

        char c = state.charAt(5);
        String tampered = state.substring(0, 5) + (c == 'A' ? 'B' : 'A') + state.substring(6);
        JsonNode forged = client.call("tools/call", retry(call, caps, tampered, answer));
        assertEquals(-32602, forged.at("/error/code").asInt());
        assertTrue(forged.at("/error/message").asText().contains("requestState"), forged.toString());
        assertEquals(-32602, client.call("tools/call", retry(call, caps, "not-a-state", answer))
                .at("/error/code").asInt());
        // a genuine state on another request (different arguments)
        JsonNode moved = client.call("tools/call", retry("{\"name\":\"signup\",\"arguments\":{\"plan\":\"free\"}}",
                caps, state, answer));
        assertEquals(-32602, moved.at("/error/code").asInt());
        assertTrue(moved.at("/error/message").asText().contains("different request"));
        // a genuine state presented by another caller
        BlockingQueue<ObjectNode> otherReceived = new LinkedBlockingQueue<>();
        ClientConnection other = new ClientConnection(core, "test",
                new Caller("someone-else", Set.of(), Set.of(), "test", null, Map.of()), otherReceived::add, 1 << 20);
        other.receive("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                + retry(call, caps, state, answer) + "}");
        ObjectNode otherReply = otherReceived.poll(10, TimeUnit.SECONDS);
        other.close();
        assertEquals(-32602, otherReply.at("/error/code").asInt());
        assertTrue(otherReply.at("/error/message").asText().contains("different caller"));
        assertEquals(runs, signupRuns.get(), "a refused state never reaches the tool");

        // a state sealed by a server with another key does not verify here
        McpCore elsewhere = core(new StatelessSettings(Duration.ofMinutes(1), Duration.ZERO, "private",
                new byte[32], Duration.ofMinutes(10)));
        TestClient there = new TestClient(elsewhere);
        String foreign = there.call("tools/call", params(call, caps)).at("/result/requestState").asText();
        there.close();
        assertEquals(-32602, client.call("tools/call", retry(call, caps, foreign, answer)).at("/error/code").asInt());
    }

    @Test
    void instancesSharingAKeyResumeEachOthersRoundsAndStatesExpire() throws Exception {
        byte[] key = new byte[32];
        key[0] = 7;
        StatelessSettings shared = new StatelessSettings(Duration.ofMinutes(1), Duration.ZERO, "private", key,
                Duration.ofMinutes(10));
        TestClient a = new TestClient(core(shared));
        TestClient b = new TestClient(core(shared));
        String caps = "{\"sampling\":{}}";
        String call = "{\"name\":\"ask_model\"}";
        JsonNode first = a.call("tools/call", params(call, caps)).get("result");
        assertEquals("sampling/createMessage", first.at("/inputRequests/input-0/method").asText());
        JsonNode done = b.call("tools/call", retry(call, caps, first.path("requestState").asText(),
                "{\"input-0\":{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"hello\"},"
                        + "\"model\":\"m\"}}")).get("result");
        assertEquals("model: hello", done.at("/content/0/text").asText());
        a.close();
        b.close();

        TestClient c = new TestClient(core(new StatelessSettings(Duration.ofMinutes(1), Duration.ZERO, "private", key,
                Duration.ofMillis(1))));
        String state = c.call("tools/call", params(call, caps)).at("/result/requestState").asText();
        Thread.sleep(20);
        JsonNode expired = c.call("tools/call", retry(call, caps, state, "{}"));
        assertEquals(-32602, expired.at("/error/code").asInt());
        assertTrue(expired.at("/error/message").asText().contains("expired"));
        c.close();
    }

    @Test
    void askingWithoutTheCapabilityIsMissingRequiredClientCapability() throws Exception {
        JsonNode r = stateless(client, "tools/call", "{\"name\":\"signup\",\"arguments\":{\"plan\":\"pro\"}}");
        assertEquals(-32021, r.at("/error/code").asInt());
        assertTrue(r.at("/error/data/requiredCapabilities/elicitation").isObject());
        // a tool that catches everything still ends the round with input_required
        JsonNode greedy = client.call("tools/call", params("{\"name\":\"greedy\"}", "{\"roots\":{}}"));
        assertEquals("input_required", greedy.at("/result/resultType").asText());
        assertEquals("roots/list", greedy.at("/result/inputRequests/input-0/method").asText());
    }

    @Test
    void logsOnlyWhenTheRequestAsksAndProgressAsUsual() throws Exception {
        String body = "{\"name\":\"chatty\"}";
        ObjectNode p = (ObjectNode) parse(params(body, "{}"));
        ((ObjectNode) p.get("_meta")).put("progressToken", "tok");
        assertEquals("ok", client.call("tools/call", Json.write(p)).at("/result/content/0/text").asText());
        assertEquals("tok", client.nextWithMethod("notifications/progress").at("/params/progressToken").asText());
        assertTrue(client.received.stream().noneMatch(m -> "notifications/message".equals(Json.text(m, "method"))),
                "no log messages without io.modelcontextprotocol/logLevel");

        ((ObjectNode) p.get("_meta")).put(RequestMeta.LOG_LEVEL, "info");
        client.call("tools/call", Json.write(p));
        assertEquals("hello", client.nextWithMethod("notifications/message").at("/params/data").asText());
    }

    @Test
    void cancellingAStatelessRequestOnTheConnectionInterruptsIt() throws Exception {
        int id = client.send("tools/call", params("{\"name\":\"slow\"}", "{}"));
        assertTrue(slowStarted.await(5, TimeUnit.SECONDS));
        client.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id
                + "}}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!slowInterrupted.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(slowInterrupted.get());
        Thread.sleep(100);
        assertTrue(client.received.stream().noneMatch(m -> m.path("id").asInt() == id));
    }

    @Test
    void subscriptionsListenDeliversTaggedChangesUntilCancelled() throws Exception {
        int id = client.send("subscriptions/listen", params("{\"notifications\":{\"toolsListChanged\":true,"
                + "\"resourceSubscriptions\":[\"test://readme\"]}}", "{}"));
        ObjectNode ack = client.nextWithMethod("notifications/subscriptions/acknowledged");
        assertEquals(id, ack.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asInt());
        assertTrue(ack.at("/params/notifications/toolsListChanged").asBoolean());
        assertFalse(ack.at("/params/notifications").has("promptsListChanged"));
        assertEquals("test://readme", ack.at("/params/notifications/resourceSubscriptions/0").asText());

        core.features().register(new Contributions(new Owner("late", getClass().getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("late_tool").build(), (a, c) -> ToolResult.text("hi"))),
                List.of(), List.of(), List.of(), List.of()));
        ObjectNode changed = client.nextWithMethod("notifications/tools/list_changed");
        assertEquals(id, changed.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asInt());
        assertEquals("hi", stateless(client, "tools/call", "{\"name\":\"late_tool\"}").at("/result/content/0/text")
                .asText());

        core.sessions().broadcastResourceUpdated("test://readme");
        ObjectNode updated = client.nextWithMethod("notifications/resources/updated");
        assertEquals("test://readme", updated.at("/params/uri").asText());
        assertEquals(id, updated.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asInt());
        core.sessions().broadcastResourceUpdated("test://other");

        client.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id
                + "}}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (core.subscriptions().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, core.subscriptions().size());
        core.features().unregister("late");
        Thread.sleep(100);
        assertTrue(client.received.isEmpty(), "nothing after cancellation, and no update for other URIs: "
                + client.received);
    }

    @Test
    void stoppingTheServerEndsSubscriptionsWithACompleteResult() throws Exception {
        int id = client.send("subscriptions/listen", params("{\"notifications\":{\"promptsListChanged\":true}}",
                "{}"));
        client.nextWithMethod("notifications/subscriptions/acknowledged");
        assertTrue(client.connection.session().awaitIdle(Duration.ofSeconds(2)),
                "an open subscription does not hold up a shutdown");
        core.subscriptions().endAll();
        JsonNode end = client.responseTo(id).get("result");
        assertEquals("complete", end.path("resultType").asText());
        assertEquals(id, end.at("/_meta/io.modelcontextprotocol~1subscriptionId").asInt());
        assertEquals(-32602, stateless(client, "subscriptions/listen", "{}").at("/error/code").asInt());
    }

    @Test
    void legacyAndStatelessClientsShareTheCore() throws Exception {
        TestClient legacy = new TestClient(core);
        assertEquals("2025-11-25", legacy.initialize("2025-11-25", "{}").at("/result/protocolVersion").asText());
        int listen = client.send("subscriptions/listen", params("{\"notifications\":{\"toolsListChanged\":true}}",
                "{}"));
        client.nextWithMethod("notifications/subscriptions/acknowledged");

        core.features().register(new Contributions(new Owner("late", getClass().getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("late_tool").build(), (a, c) -> ToolResult.text("hi"))),
                List.of(), List.of(), List.of(), List.of()));
        ObjectNode legacyChange = legacy.nextWithMethod("notifications/tools/list_changed");
        assertFalse(legacyChange.path("params").has("_meta"), "legacy sessions get untagged notifications");
        assertEquals(listen, client.nextWithMethod("notifications/tools/list_changed")
                .at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asInt());

        JsonNode legacyList = legacy.call("tools/list", null).get("result");
        assertFalse(legacyList.has("resultType"), "legacy results stay as they were");
        assertTrue(legacyList.toString().contains("late_tool"));
        // a legacy connection stays legacy, whatever a request's _meta says
        assertFalse(legacy.call("tools/list", params(null, "{}")).get("result").has("resultType"));
        assertEquals(-32601, legacy.call("server/discover", params(null, "{}")).at("/error/code").asInt());
        assertEquals(-32002, legacy.call("resources/read", "{\"uri\":\"test://nothing\"}").at("/error/code").asInt());
        assertEquals(-32602, stateless(client, "resources/read", "{\"uri\":\"test://nothing\"}").at("/error/code")
                .asInt());
        legacy.close();

        // a connection that spoke stateless requests can still begin a legacy session
        assertEquals("complete", stateless(client, "tools/list", null).at("/result/resultType").asText());
        assertEquals("2025-06-18", client.initialize("2025-06-18", "{}").at("/result/protocolVersion").asText());
        assertFalse(client.call("tools/list", null).get("result").has("resultType"));
    }

    @Test
    void aOneRequestSessionFromAnHttpStyleTransportIsServedStatelessly() throws Exception {
        List<ObjectNode> out = new ArrayList<>();
        int sessions = core.sessions().size();
        Session session = core.sessions().stateless("http", new Caller("anonymous", Set.of(), Set.of(), null, null,
                Map.of()), out::add);
        core.dispatcher().handle(session, parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\","
                + "\"params\":" + params("{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":1}}", "{}") + "}"), out::add);
        assertEquals("2", out.getFirst().at("/result/content/0/text").asText());
        assertEquals("complete", out.getFirst().at("/result/resultType").asText());
        assertEquals(sessions, core.sessions().size(), "nothing is registered for a stateless request");
        assertNotEquals(null, session.protocolVersion());
    }

    private static String retry(String body, String caps, String state, String responses) {
        ObjectNode p = (ObjectNode) parse(params(body, caps));
        p.put("requestState", state);
        p.set("inputResponses", parse(responses));
        return Json.write(p);
    }
}
