package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.mcpserver.e2e.StreamableHttpClient.Events;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mcpserver.e2e.StreamableHttpClient.call;
import static io.mcpserver.e2e.StreamableHttpClient.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call's own stream (its POST's response) in a cluster of three nodes on one Redis: copied to Redis only once its
 * client may resume it on another node. A call whose client reads its stream where it runs writes nothing to Redis;
 * a client that resumes on another node while its first connection is still open (the node running the call has not
 * noticed anything) gets every event it missed, once and in order, because the resuming node asks the running one
 * for a copy first; and when the node running the call is killed after another node followed its stream, a resume
 * gets what was copied and then a JSON-RPC error for the call. Each request goes to a node directly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterStreamsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RedisProcess redis;
    private static final List<ServerProcess> nodes = new ArrayList<>();
    private final StreamableHttpClient wire = new StreamableHttpClient("streams-it", Duration.ofSeconds(90));

    @BeforeAll
    static void startRedisAndThreeNodes() throws Exception {
        redis = RedisProcess.start("streams", null);
        for (String name : List.of("a", "b", "c")) {
            nodes.add(ServerProcess.builder().name("streams-node-" + name).tcp(false).plugins("demo")
                    .clusterNode(redis.url(), "node-" + name)
                    .start());
        }
        for (ServerProcess node : nodes) {
            node.awaitReadyEndpoint(Duration.ofSeconds(60));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        nodes.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    /** Fails when each event of a streamed call is copied to Redis as it goes (one XADD per event). */
    @Test
    @Order(1)
    void aCallStreamedToItsClientOnItsNodeWritesNoEventToRedis() throws Exception {
        URI a = mcp(0);
        String session = wire.initialize(a);
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> redisConnection = client.connect()) {
            var commands = redisConnection.sync();
            commands.configResetstat();
            HttpResponse<InputStream> streamed = wire.post(a, session, call(2, "slow_count", "{\"count\":5,\"delay_ms\":10}"));
            assertTrue(streamed.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            Events events = events(streamed);
            assertTrue(events.awaitEnd(Duration.ofSeconds(30)), "the stream ends with the response");
            assertTrue(events.messages.size() > 5, "the steps' messages and the response: " + events.messages);
            assertEquals(2, events.messages.getLast().path("id").asInt(), events.messages.getLast().toString());
            String stats = commands.info("commandstats");
            assertEquals(0, stat(stats, "xadd"), "no event copied to Redis: " + stats);
            assertEquals(List.of(), commands.keys("mcp:sse:" + session + ":*"), "no stream key left");
        } finally {
            client.shutdown();
        }
    }

    /**
     * The client lost its connection to a without a noticing it (the connection stays open here, as a half-open one
     * would) and resumes on b: b asks a for a copy and follows it; every event after the resumed one arrives once, in
     * order, up to the response.
     */
    @Test
    @Order(2)
    void aStreamResumesOnAnotherNodeWhileItsFirstConnectionIsStillOpen() throws Exception {
        URI a = mcp(0);
        URI b = mcp(1);
        String session = wire.initialize(a);
        Events first = events(wire.post(a, session, call(2, "slow_count", "{\"count\":6,\"delay_ms\":300}")));
        assertNotNull(first.poll(Duration.ofSeconds(30)), "the call's first message");
        String lastSeen = first.ids.getFirst();

        HttpResponse<InputStream> resumed = wire.http().send(wire.request(b, session).header("Last-Event-ID", lastSeen).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resumed.statusCode());
        Events rest = events(resumed);
        assertTrue(rest.awaitEnd(Duration.ofSeconds(60)), "b's stream ends with the response: " + rest.ids);
        JsonNode response = rest.messages.getLast();
        assertEquals(2, response.path("id").asInt(), "the last message is the response: " + response);
        assertTrue(response.path("result").toString().contains("Counted to 6"), response.toString());
        assertEquals(lastSeen, rest.ids.getFirst(), "the priming event names where it resumed");
        assertContiguousAfter(lastSeen, rest.ids.subList(1, rest.ids.size()));
        assertTrue(first.awaitEnd(Duration.ofSeconds(30)), "a's own connection ends too");
        assertEquals(rest.ids.getLast(), first.ids.getLast(), "both connections end at the same event");
    }

    /**
     * The node running a call is killed (SIGKILL) after its client resumed on another node: resumed again on a third
     * node, the stream gives what the killed node had copied, in order after the client's last event, and then an
     * error for the call naming that node, and ends.
     */
    @Test
    @Order(3)
    void aStreamWhoseNodeIsKilledGivesWhatWasCopiedThenAnError() throws Exception {
        URI a = mcp(0);
        URI b = mcp(1);
        URI c = mcp(2);
        String session = wire.initialize(a);
        Events onC = events(wire.post(c, session, call(7, "slow_count", "{\"count\":200,\"delay_ms\":100}")));
        assertNotNull(onC.poll(Duration.ofSeconds(30)), "the call's first message");
        onC.disconnect();

        Events onB = events(wire.http().send(wire.request(b, session).header("Last-Event-ID", onC.ids.getLast()).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream()));
        for (int i = 0; i < 3; i++) {
            assertNotNull(onB.poll(Duration.ofSeconds(30)), "event " + i + " followed on b: " + onB.ids);
        }
        onB.disconnect();
        String lastSeen = onB.ids.getLast();
        nodes.get(2).process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL

        Events onA = events(wire.http().send(wire.request(a, session).header("Last-Event-ID", lastSeen).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream()));
        assertTrue(onA.awaitEnd(Duration.ofSeconds(60)), "the stream ends: " + onA.ids);
        JsonNode error = onA.messages.getLast();
        assertEquals(7, error.path("id").asInt(), error.toString());
        assertEquals(-32603, error.path("error").path("code").asInt(), error.toString());
        assertTrue(error.path("error").path("message").asText().contains("node-c"), error.toString());
        assertEquals(lastSeen, onA.ids.getFirst(), "the priming event names where it resumed");
        assertContiguousAfter(lastSeen, onA.ids.subList(1, onA.ids.size()));
        assertEquals(List.of(), onA.messages.subList(0, onA.messages.size() - 1).stream()
                .filter(m -> m.has("id") && !m.has("method")).toList(), "no other response");
    }

    /** Ids {@code <key>-<n+1>}, {@code <key>-<n+2>}, … after {@code <key>-<n>}: none missing, none twice. */
    private static void assertContiguousAfter(String last, List<String> ids) {
        int dash = last.lastIndexOf('-');
        String key = last.substring(0, dash);
        long n = Long.parseLong(last.substring(dash + 1));
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= ids.size(); i++) {
            expected.add(key + "-" + (n + i));
        }
        assertEquals(expected, ids, "every event after " + last + ", once, in order");
    }

    /** The {@code calls} of one command in {@code INFO commandstats}. */
    private static long stat(String commandStats, String command) {
        return commandStats.lines().filter(l -> l.startsWith("cmdstat_" + command + ":")).findFirst()
                .map(l -> l.substring(l.indexOf("calls=") + 6, l.indexOf(',', l.indexOf("calls="))))
                .map(Long::parseLong).orElse(0L);
    }

    private static URI mcp(int node) {
        return nodes.get(node).httpUri("/mcp");
    }
}
