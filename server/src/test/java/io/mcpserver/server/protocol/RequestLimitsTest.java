package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.spi.client.ClientRequestException;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Branches of the request path that only misbehaving or unlucky clients reach: the per-session in-flight limit, a
 * request id reused while its first request runs, and a server→client request answered with an error, never
 * answered, or abandoned by a cancellation — the tool's thread must end every time.
 */
class RequestLimitsTest {

    private static final int MAX_IN_FLIGHT = 2;

    private final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    /** What each tool call ended with: "returned", "interrupted", or the client-request failure's message. */
    private final BlockingQueue<String> ended = new LinkedBlockingQueue<>();
    private final Map<String, CountDownLatch> releases = new ConcurrentHashMap<>();
    private final List<TestClient> clients = new ArrayList<>();
    private McpCore core;

    private void start(Duration clientRequestTimeout) {
        Tool block = Tool.of(ToolDescriptor.builder("block").param("tag", "string", "names the call", true).build(),
                (args, ctx) -> {
                    String tag = String.valueOf(args.get("tag"));
                    CountDownLatch release = releases.computeIfAbsent(tag, t -> new CountDownLatch(1));
                    started.add(tag);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        ended.add("interrupted " + tag);
                        throw e;
                    }
                    ended.add("returned " + tag);
                    return ToolResult.text("released " + tag);
                });
        Tool ask = Tool.of(ToolDescriptor.builder("ask").build(), (args, ctx) -> {
            started.add("ask");
            try {
                String answer = ctx.sample(SamplingRequest.ofUserText("2+2?", 10)).text();
                ended.add("returned ask");
                return ToolResult.text("model said " + answer);
            } catch (ClientRequestException e) {
                ended.add("failed ask: " + e.getMessage());
                return ToolResult.error("no answer: " + e.getMessage());
            } catch (InterruptedException e) {
                ended.add("interrupted ask");
                throw e;
            }
        });
        var d = io.mcpserver.server.config.ServerConfig.defaults().protocol();
        ProtocolSettings settings = new ProtocolSettings(d.serverName(), "test", d.instructions(), d.pageSize(),
                d.defaultLogLevel(), clientRequestTimeout, Duration.ofMinutes(1), MAX_IN_FLIGHT, d.shutdownGrace(), d.stateless(),
                java.util.Map.of(), d.tasks(), d.maxSubscriptions(), d.maxUriLength());
        core = TestClient.core(settings, List.of(block, ask), List.of(), List.of(), List.of(), List.of());
    }

    private TestClient client(String capabilities) throws InterruptedException {
        TestClient c = new TestClient(core);
        clients.add(c);
        c.initialize("2025-11-25", capabilities);
        return c;
    }

    @AfterEach
    void tearDown() {
        releases.values().forEach(CountDownLatch::countDown);
        clients.forEach(TestClient::close);
    }

    private static String blockCall(String tag) {
        return "{\"name\":\"block\",\"arguments\":{\"tag\":\"" + tag + "\"}}";
    }

    private void release(String tag) {
        releases.computeIfAbsent(tag, t -> new CountDownLatch(1)).countDown();
    }

    @Test
    void aSessionOverItsInFlightLimitIsRefusedWhileOthersAreServed() throws Exception {
        start(Duration.ofSeconds(30));
        TestClient busy = client("{}");
        int a = busy.send("tools/call", blockCall("a"));
        int b = busy.send("tools/call", blockCall("b"));
        assertEquals(List.of("a", "b"), List.of(started.poll(10, TimeUnit.SECONDS), started.poll(10, TimeUnit.SECONDS))
                .stream().sorted().toList());

        JsonNode refused = busy.call("tools/call", blockCall("c"));
        assertEquals(ErrorCodes.LIMIT_EXCEEDED, refused.at("/error/code").asInt(), refused.toString());
        assertTrue(refused.at("/error/message").asText().contains("limit " + MAX_IN_FLIGHT), refused.toString());
        assertTrue(releases.get("c") == null, "the refused call never ran");

        TestClient other = client("{}"); // the limit is per session
        int d = other.send("tools/call", blockCall("d"));
        assertEquals("d", started.poll(10, TimeUnit.SECONDS));
        release("d");
        assertEquals("released d", other.responseTo(d).at("/result/content/0/text").asText());

        release("a");
        assertEquals("released a", busy.responseTo(a).at("/result/content/0/text").asText());
        int e = busy.send("tools/call", blockCall("e")); // a slot is free again
        assertEquals("e", started.poll(10, TimeUnit.SECONDS));
        release("b");
        release("e");
        assertEquals("released b", busy.responseTo(b).at("/result/content/0/text").asText());
        assertEquals("released e", busy.responseTo(e).at("/result/content/0/text").asText());
    }

    @Test
    void anIdReusedWhileItsRequestRunsIsRefusedAndTheFirstCarriesOn() throws Exception {
        start(Duration.ofSeconds(30));
        TestClient c = client("{}");
        c.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":\"dup\",\"method\":\"tools/call\",\"params\":" + blockCall("first") + "}");
        assertEquals("first", started.poll(10, TimeUnit.SECONDS));
        c.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":\"dup\",\"method\":\"tools/call\",\"params\":" + blockCall("second") + "}");
        ObjectNode refusal = c.next();
        assertEquals("dup", refusal.path("id").asText(), refusal.toString());
        assertEquals(ErrorCodes.INVALID_REQUEST, refusal.at("/error/code").asInt(), refusal.toString());
        assertTrue(refusal.at("/error/message").asText().contains("already in use"), refusal.toString());

        release("first");
        ObjectNode answer = c.next();
        assertEquals("dup", answer.path("id").asText());
        assertEquals("released first", answer.at("/result/content/0/text").asText(), answer.toString());
        assertTrue(releases.get("second") == null, "the second request never ran");

        // once it is done, the id may be used again (the answer goes out a moment before the request is done:
        // reusing the id within that moment is still refused, see the report of issue 21)
        assertEquals(0, awaitInFlight(c, 0));
        c.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":\"dup\",\"method\":\"ping\"}");
        ObjectNode pong = c.next();
        assertEquals("dup", pong.path("id").asText());
        assertTrue(pong.has("result"), pong.toString());
    }

    @Test
    void samplingAnsweredWithAnErrorEndsTheToolWithThatError() throws Exception {
        start(Duration.ofSeconds(30));
        TestClient c = client("{\"sampling\":{}}");
        int call = c.send("tools/call", "{\"name\":\"ask\",\"arguments\":{}}");
        ObjectNode request = c.nextWithMethod("sampling/createMessage");
        c.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"error\":{\"code\":-1,\"message\":\"user said no\"}}");
        JsonNode result = c.responseTo(call);
        assertTrue(result.at("/result/isError").asBoolean(), result.toString());
        assertTrue(result.at("/result/content/0/text").asText().contains("user said no"), result.toString());
        assertTrue(ended.poll(10, TimeUnit.SECONDS).startsWith("failed ask: the client refused sampling/createMessage"));
    }

    @Test
    void samplingNeverAnsweredTimesOutAndFreesTheToolThread() throws Exception {
        start(Duration.ofMillis(300));
        TestClient c = client("{\"sampling\":{}}");
        int call = c.send("tools/call", "{\"name\":\"ask\",\"arguments\":{}}");
        c.nextWithMethod("sampling/createMessage"); // and never answer it
        JsonNode result = c.responseTo(call);
        assertTrue(result.at("/result/isError").asBoolean(), result.toString());
        assertTrue(ended.poll(10, TimeUnit.SECONDS).startsWith("failed ask: the client did not answer"));
        assertEquals(0, awaitInFlight(c, 0), "nothing left running on the session");
    }

    @Test
    void aCallWaitingForSamplingIsInterruptedWhenCancelled() throws Exception {
        start(Duration.ofMinutes(5));
        TestClient c = client("{\"sampling\":{}}");
        int call = c.send("tools/call", "{\"name\":\"ask\",\"arguments\":{}}");
        c.nextWithMethod("sampling/createMessage");
        c.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + call + "}}");
        assertEquals("interrupted ask", ended.poll(10, TimeUnit.SECONDS), "the tool thread did not stay stuck");
        assertEquals(0, awaitInFlight(c, 0), "the cancelled call left the session");
    }

    private static int awaitInFlight(TestClient c, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.connection.session().inFlightCount() != count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return c.connection.session().inFlightCount();
    }
}
