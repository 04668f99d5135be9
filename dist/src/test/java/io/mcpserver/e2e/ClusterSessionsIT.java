package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mcpserver.e2e.StreamableHttpClient.Events;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mcpserver.e2e.StreamableHttpClient.call;
import static io.mcpserver.e2e.StreamableHttpClient.events;
import static io.mcpserver.e2e.StreamableHttpClient.messages;
import static io.mcpserver.e2e.StreamableHttpClient.nextMessage;
import static io.mcpserver.e2e.StreamableHttpClient.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three nodes ({@code bin/mcp-server} with {@code cluster.enabled}) on one Redis: a Streamable HTTP session opened on
 * one node is served by the others with what it negotiated — the client's capabilities (a sampling request on
 * another node, answered through a third), its log level (set on a third node), its subscriptions (announced to a node that served the session
 * already) — and a DELETE on one node ends it on all. The session also survives a Redis restart and the SIGKILL of
 * the node that opened it, and a multi round-trip request's state is accepted once in the cluster. Each request goes to a node directly, so that which node
 * serves what is certain.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSessionsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RedisProcess redis;
    private static final List<ServerProcess> nodes = new ArrayList<>();
    private final StreamableHttpClient wire = new StreamableHttpClient("cluster-it", Duration.ofSeconds(60));

    @BeforeAll
    static void startRedisAndThreeNodes() throws Exception {
        redis = RedisProcess.start("sessions", null);
        for (String name : List.of("a", "b", "c")) {
            nodes.add(ServerProcess.builder().name("cluster-node-" + name).tcp(false).plugins("demo")
                    .clusterNode(redis.url(), "node-" + name)
                    .env("MCP_PROTOCOL_REQUEST__STATE__KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]))
                    .start());
        }
        for (ServerProcess node : nodes) {
            node.awaitReadyEndpoint(Duration.ofSeconds(60)); // connected to Redis (in the background, after the ready line)
        }
    }

    @AfterAll
    static void stop() throws Exception {
        nodes.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void aSessionOpenedOnOneNodeIsServedByTheOthersWithWhatItNegotiated() throws Exception {
        URI a = mcp(0);
        URI b = mcp(1);
        URI c = mcp(2);
        HttpResponse<InputStream> init = wire.post(a, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{"sampling":{}},"clientInfo":{"name":"cluster-it","version":"1"}}}""");
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertEquals("2025-06-18", reply(init, 1).path("result").path("protocolVersion").asText());
        assertEquals(202, wire.post(b, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .statusCode());

        // every node knows the session
        for (URI node : List.of(a, b, c)) {
            JsonNode tools = reply(wire.post(node, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"), 2);
            assertTrue(tools.path("result").path("tools").size() > 0, node + ": " + tools);
        }

        // the log level set on c holds on b: slow_count logs at info, which is below error
        List<JsonNode> before = messages(wire.post(b, session, call(3, "slow_count", "{\"count\":2,\"delay_ms\":10}")));
        assertTrue(before.stream().anyMatch(m -> "notifications/message".equals(m.path("method").asText())),
                "at the default level (info) the tool's log lines come: " + before);
        reply(wire.post(c, session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"error\"}}"), 4);
        awaitTrue(() -> messages(wire.post(b, session, call(5, "slow_count", "{\"count\":2,\"delay_ms\":10}"))).stream()
                .noneMatch(m -> "notifications/message".equals(m.path("method").asText())), "log level error on b");

        // the sampling capability declared on a lets b ask the client's model; the answer, POSTed to c, reaches b
        HttpResponse<InputStream> asking = wire.post(b, session, call(6, "ask_model", "{\"question\":\"2+2?\"}"));
        BufferedReader stream = new BufferedReader(new InputStreamReader(asking.body(), StandardCharsets.UTF_8));
        JsonNode sampling = nextMessage(stream);
        assertEquals("sampling/createMessage", sampling.path("method").asText(), sampling.toString());
        assertEquals(202, wire.post(c, session, """
                {"jsonrpc":"2.0","id":%s,"result":{"role":"assistant","content":{"type":"text","text":"four"},
                 "model":"test","stopReason":"endTurn"}}""".formatted(sampling.get("id"))).statusCode());
        JsonNode answered = nextMessage(stream);
        assertTrue(answered.path("result").toString().contains("four"), answered.toString());

        // b serves the session already (its GET stream is open there); a subscription made on c reaches it
        Events events = wire.openGet(b, session);
        reply(wire.post(c, session, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"demo://counter\"}}"), 7);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode updated = null;
        for (int id = 100; updated == null && System.nanoTime() < deadline; id++) {
            reply(wire.post(b, session, call(id, "bump_counter", "{}")), id);
            updated = events.poll(Duration.ofMillis(500));
        }
        assertNotNull(updated, "resources/updated on b's stream after subscribing on c");
        assertEquals("notifications/resources/updated", updated.path("method").asText(), updated.toString());

        // DELETE on a ends the session everywhere; b's stream ends
        HttpResponse<String> deleted = wire.http().send(wire.request(a, session).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, deleted.statusCode(), deleted.body());
        for (URI node : List.of(a, b, c)) {
            awaitTrue(() -> wire.post(node, session, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}").statusCode() == 404,
                    node + " forgets the session");
        }
        assertTrue(events.awaitEnd(Duration.ofSeconds(10)), "b's GET stream ends with the session at once, not at b's reaper tick (30 s)");
    }

    /**
     * Redis restarted empty: a node holding a session goes on serving it meanwhile, another node answers 503 with
     * -32603 for it, and once Redis is back the holder writes it back, so that every node serves it again.
     */
    /** A multi round-trip request's state (stateless era) is good for one retry in the cluster, not one per node. */
    @Test
    @Order(2)
    void aRequestStateIsGoodForOneRetryOnWhicheverNode() throws Exception {
        String caps = "{\"elicitation\":{\"form\":{}}}";
        String askUser = "{\"name\":\"ask_user\",\"arguments\":{\"message\":\"Who are you?\"}}";
        JsonNode first = new StatelessEraIT.HttpChannel(mcp(0)).call(StatelessEraIT.request("tools/call", askUser, caps));
        assertEquals("input_required", first.at("/result/resultType").asText(), first.toString());
        String state = first.at("/result/requestState").asText();
        String answer = "{\"input-0\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\",\"colour\":\"green\"}}}";
        JsonNode done = new StatelessEraIT.HttpChannel(mcp(1)).call(retry(askUser, caps, state, answer));
        assertEquals("complete", done.at("/result/resultType").asText(), done.toString());
        JsonNode replayed = new StatelessEraIT.HttpChannel(mcp(2)).call(retry(askUser, caps, state, answer));
        assertTrue(replayed.at("/error/message").asText().contains("already used"), "refused on c: " + replayed);
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode retry(String params, String caps, String state,
                                                                       String responses) throws Exception {
        var m = StatelessEraIT.request("tools/call", params, caps);
        ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("params")).put("requestState", state);
        ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("params")).set("inputResponses", JSON.readTree(responses));
        return m;
    }

    @Test
    @Order(3)
    void aSessionSurvivesARedisRestart() throws Exception {
        URI a = mcp(0);
        URI b = mcp(1);
        String session = wire.initialize(a);
        redis.stop();
        assertEquals(2, reply(wire.post(a, session, call(2, "echo", "{\"text\":\"hi\"}")), 2).path("id").asInt(),
                "the node holding the session serves it without Redis");
        HttpResponse<String> refused = wire.http().send(wire.request(b, session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals(-32603, JSON.readTree(refused.body()).path("error").path("code").asInt(), refused.body());

        redis.start();
        awaitTrue(() -> wire.post(b, session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}").statusCode() == 200,
                "b serves the session again once a wrote it back");
        for (ServerProcess node : nodes) {
            node.awaitReadyEndpoint(Duration.ofSeconds(60)); // every node reconnected (backoff up to 5 s) before the next test
        }
    }

    /** A node killed with SIGKILL: the sessions it served go on on the others. */
    /**
     * A resource changed by a call on c reaches the client's GET stream held on a exactly once: c, which saw the
     * change, appends it to the session's stream in Redis (whichever nodes serve the session), and a reads it.
     */
    @Test
    @Order(4)
    void aResourceChangedOnOneNodeReachesTheStreamOnAnotherOnce() throws Exception {
        URI a = mcp(0);
        URI b = mcp(1);
        URI c = mcp(2);
        String session = wire.initialize(a);
        // every node serves the session already: each has a copy holding the subscription
        reply(wire.post(b, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"demo://counter\"}}"), 2);
        reply(wire.post(c, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}"), 3);
        Events events = wire.openGet(a, session);
        reply(wire.post(c, session, call(4, "bump_counter", "{}")), 4);
        JsonNode updated = events.poll(Duration.ofSeconds(30));
        assertNotNull(updated, "resources/updated on a's stream after a change on c");
        assertEquals("notifications/resources/updated", updated.path("method").asText(), updated.toString());
        assertEquals("demo://counter", updated.path("params").path("uri").asText(), updated.toString());
        // a change on a itself, as a marker: had any node told the session twice, the copy would come before it
        reply(wire.post(a, session, call(5, "bump_counter", "{}")), 5);
        JsonNode marker = events.poll(Duration.ofSeconds(30));
        assertNotNull(marker, "the second update");
        assertEquals(2L, events.ids.stream().filter(id -> !id.equals("g-0")).count(),
                "exactly two events, one per change: " + events.ids);
        assertEquals(null, events.poll(Duration.ofSeconds(2)), "nothing more");
    }

    /**
     * A call's own stream (its POST's response) cut mid-way resumes on another node: its events are in Redis too, and
     * the node following them ends the stream at the call's response.
     */
    @Test
    @Order(5)
    void aCallsStreamResumesOnAnotherNodeWhileItRuns() throws Exception {
        URI a = mcp(0);
        URI b = mcp(1);
        String session = wire.initialize(a);
        HttpResponse<InputStream> running = wire.post(a, session, call(2, "slow_count", "{\"count\":6,\"delay_ms\":500}"));
        assertTrue(running.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Events cut = events(running);
        assertNotNull(cut.poll(Duration.ofSeconds(30)), "the call's first message");
        String lastSeen = cut.ids.getLast();
        cut.disconnect();

        HttpResponse<InputStream> resumed = wire.http().send(wire.request(b, session).header("Last-Event-ID", lastSeen).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resumed.statusCode());
        Events rest = events(resumed);
        JsonNode response = null;
        for (JsonNode m = rest.poll(Duration.ofSeconds(30)); m != null; m = rest.poll(Duration.ofSeconds(30))) {
            if (m.path("id").asInt(-1) == 2 && !m.has("method")) {
                response = m;
                break;
            }
        }
        assertNotNull(response, "the call's response on b's resumed stream: " + rest.ids);
        assertTrue(response.path("result").toString().contains("Counted to 6"), response.toString());
        assertTrue(rest.awaitEnd(Duration.ofSeconds(30)), "the resumed stream ends with the response");
        assertTrue(rest.ids.getFirst().equals(lastSeen), "resumed where it was cut: " + rest.ids);

        // read to its end, the stream is forgotten: resuming it again (on c) has nothing to deliver
        HttpResponse<String> again = wire.http().send(wire.request(mcp(2), session).header("Last-Event-ID", rest.ids.getLast())
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, again.statusCode(), again.body());
    }

    @Test
    @Order(6)
    void aSessionSurvivesTheNodeThatOpenedIt() throws Exception {
        URI b = mcp(1);
        URI c = mcp(2);
        String session = wire.initialize(c);
        reply(wire.post(c, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"error\"}}"), 2);
        nodes.get(2).process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
        assertTrue(messages(wire.post(b, session, call(3, "slow_count", "{\"count\":2,\"delay_ms\":10}"))).stream()
                .noneMatch(m -> "notifications/message".equals(m.path("method").asText())), "the log level stays");
        assertEquals(200, wire.post(mcp(0), session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}").statusCode());
    }

    /**
     * The node that wrote a session's stream is killed with SIGKILL: the client reconnects to another node with
     * {@code Last-Event-ID} and gets the events it missed, from Redis. (Runs after c was killed.)
     */
    @Test
    @Order(7)
    void aStreamResumesOnAnotherNodeAfterItsNodeWasKilled() throws Exception {
        URI a = mcp(0);
        URI b = mcp(1);
        String session = wire.initialize(b);
        reply(wire.post(b, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"demo://counter\"}}"), 2);
        Events first = wire.openGet(b, session);
        reply(wire.post(b, session, call(3, "bump_counter", "{}")), 3);
        assertNotNull(first.poll(Duration.ofSeconds(30)), "the first update on b's stream");
        String lastSeen = first.ids.getLast();
        first.disconnect();
        assertTrue(first.awaitEnd(Duration.ofSeconds(30)));
        reply(wire.post(b, session, call(4, "bump_counter", "{}")), 4); // missed: no connection reads the stream
        reply(wire.post(b, session, call(5, "bump_counter", "{}")), 5);
        // and a call running on b, whose stream the client lost too
        Events call = events(wire.post(b, session, call(6, "slow_count", "{\"count\":100,\"delay_ms\":500}")));
        assertNotNull(call.poll(Duration.ofSeconds(30)), "the call's first message");
        String callSeen = call.ids.getLast();
        call.disconnect();
        nodes.get(1).process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL

        // the call died with b: resumed on a, its stream says so with an error for the request, instead of hanging
        Events lost = events(wire.http().send(wire.request(a, session).header("Last-Event-ID", callSeen).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream()));
        JsonNode error = null;
        for (JsonNode m = lost.poll(Duration.ofSeconds(30)); m != null; m = lost.poll(Duration.ofSeconds(30))) {
            if (m.path("id").asInt(-1) == 6 && !m.has("method")) {
                error = m;
                break;
            }
        }
        assertNotNull(error, "an answer for the lost call: " + lost.ids);
        assertEquals(-32603, error.path("error").path("code").asInt(), error.toString());
        assertTrue(error.path("error").path("message").asText().contains("node-b"), error.toString());
        assertTrue(lost.awaitEnd(Duration.ofSeconds(30)), "and the stream ends");

        HttpResponse<InputStream> resumed = wire.http().send(wire.request(a, session).header("Last-Event-ID", lastSeen).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resumed.statusCode());
        Events again = events(resumed);
        for (int i = 0; i < 2; i++) {
            JsonNode missed = again.poll(Duration.ofSeconds(30));
            assertNotNull(missed, "missed update " + i + " replayed on a: " + again.ids);
            assertEquals("notifications/resources/updated", missed.path("method").asText(), missed.toString());
        }
        long seen = Long.parseLong(lastSeen.substring(2));
        assertEquals(List.of("g-" + seen, "g-" + (seen + 1), "g-" + (seen + 2)), again.ids,
                "the priming event names where it resumed, then the two missed events in order");
        again.disconnect();
    }

    private static URI mcp(int node) {
        return nodes.get(node).httpUri("/mcp");
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Waits for what another node learns through Redis's pub/sub, a few milliseconds later. */
    private static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("never: " + what);
    }
}
