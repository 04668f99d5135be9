package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Redis killed (SIGKILL) and started again on the same port, empty (no persistence), while twenty sessions call tools
 * on two cluster nodes in turn. While it is down: {@code /ready} is 503 on every node, the sessions go on (each node
 * holds them), and what needs Redis — {@code initialize}, a session the node has not served yet, a change of a
 * session's state — gets a JSON-RPC error -32603 "retry shortly" at once (no hang, no bare 500, no dropped
 * connection). Once it is back, without a restart: {@code /ready} 200 everywhere, and nothing acknowledged before
 * the outage is lost — every session, including those only one node held, works on every node with what it
 * negotiated (the nodes write back what Redis lost), and no request naming one is ever answered 404 meanwhile.
 */
class ClusterRedisRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SESSIONS = 20;
    /** No answer, error or not, may take longer: the failure is immediate, not a timeout. */
    private static final long SLOWEST_ANSWER_MS = 5_000;
    private static RedisProcess redis;
    private static final List<ServerProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start("restart", "pw-restart");
        for (String name : List.of("a", "b")) {
            nodes.add(ServerProcess.builder().name("cluster-restart-" + name).tcp(false).plugins("demo")
                    .clusterNode(redis.url(), "node-" + name).start());
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

    enum Phase { UP, DOWN, BACK }

    record Outcome(Phase phase, int session, int node, int status, String body, String failure, long millis) {
        boolean echoed(String text) {
            return status == 200 && body.contains("\"text\":\"" + text + "\"");
        }

        @Override
        public String toString() {
            return phase + " session " + session + " on node " + node + ": " + (failure != null ? failure
                    : status + " " + body.substring(0, Math.min(200, body.length()))) + " (" + millis + " ms)";
        }
    }

    @Test
    void twentySessionsGoOnThroughARedisRestartAndNothingAcknowledgedIsLost() throws Exception {
        List<String> busy = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            busy.add(initialize(i % 2));
        }
        // sessions only one node serves before the outage, with an acknowledged change (log level error)
        List<String> onlyOnA = new ArrayList<>();
        List<String> onlyOnB = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            onlyOnA.add(quietSession(0));
            onlyOnB.add(quietSession(1));
        }

        AtomicReference<Phase> phase = new AtomicReference<>(Phase.UP);
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger[] echoedUp = new AtomicInteger[SESSIONS];
        AtomicInteger[] echoedBack = new AtomicInteger[SESSIONS];
        List<Thread> load = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            int n = s;
            echoedUp[n] = new AtomicInteger();
            echoedBack[n] = new AtomicInteger();
            load.add(Thread.ofVirtual().name("session-" + n).start(() -> {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
                for (int call = 2; echoedBack[n].get() < 6 && System.nanoTime() < deadline; call++) {
                    int node = (n + call) % 2; // every session on both nodes, in turn
                    String text = "s" + n + "c" + call;
                    Phase now = phase.get();
                    Outcome o = send(now, n, node, busy.get(n), call("" + call, "echo", "{\"text\":\"" + text + "\"}"));
                    outcomes.add(o);
                    if (o.echoed(text)) {
                        (now == Phase.BACK ? echoedBack[n] : echoedUp[n]).incrementAndGet();
                    }
                    pause(10);
                }
            }));
        }
        awaitTrue(() -> java.util.Arrays.stream(echoedUp).allMatch(c -> c.get() >= 4), "every session called both nodes",
                outcomes);

        redis.kill(); // SIGKILL, under load
        phase.set(Phase.DOWN);
        for (ServerProcess node : nodes) {
            String body = awaitReady(node, 503);
            assertTrue(body.contains("\"redis\":\"down: "), body);
        }

        // what needs Redis gets a clear JSON-RPC error at once
        for (int node = 0; node < 2; node++) {
            assertRetryShortly(send(Phase.DOWN, -1, node, null, initializeRequest()), 503, "initialize");
        }
        assertRetryShortly(send(Phase.DOWN, -1, 1, onlyOnA.get(0), ping()), 503, "a session b never served");
        assertRetryShortly(send(Phase.DOWN, -1, 0, onlyOnB.get(0), ping()), 503, "a session a never served");
        Outcome setLevel = send(Phase.DOWN, -1, 0, busy.get(0),
                "{\"jsonrpc\":\"2.0\",\"id\":\"lvl\",\"method\":\"logging/setLevel\",\"params\":{\"level\":\"debug\"}}");
        assertRetryShortly(setLevel, -1, "a change of the session's state");
        pause(3_000); // the sessions keep calling while Redis is away

        redis.start(); // the same port, empty
        phase.set(Phase.BACK);
        // right away, before the nodes are back: a session one node held is never "gone" on the other (no 404)
        List<Outcome> restoring = new ArrayList<>();
        awaitTrue(() -> {
            boolean all = true;
            for (String id : onlyOnA) {
                Outcome o = send(Phase.BACK, -1, 1, id, ping());
                restoring.add(o);
                all &= o.status == 200;
            }
            for (String id : onlyOnB) {
                Outcome o = send(Phase.BACK, -1, 0, id, ping());
                restoring.add(o);
                all &= o.status == 200;
            }
            return all;
        }, "each node serves the sessions the other held, once it wrote them back", restoring);
        for (Outcome o : restoring) {
            assertTrue(o.status == 200 || isRetryShortly(o, 503), "meanwhile only 'retry shortly', never gone: " + o);
        }
        for (ServerProcess node : nodes) {
            assertTrue(awaitReady(node, 200).contains("\"redis\":\"up\""));
            assertTrue(node.awaitStderr("Redis reachable again", Duration.ofSeconds(30)), node.stderr());
        }
        for (Thread t : load) {
            t.join(Duration.ofMinutes(5));
        }

        synchronized (outcomes) {
            for (Outcome o : outcomes) {
                assertTrue(o.failure == null, "no dropped connection or timeout: " + o);
                assertTrue(o.millis < SLOWEST_ANSWER_MS, "no hang: " + o);
                if (o.phase == Phase.DOWN || o.phase == Phase.UP) {
                    // each node held the session already: it goes on without Redis
                    assertEquals(200, o.status, "a session a node holds is served without Redis: " + o);
                } else {
                    assertTrue(o.status == 200 || isRetryShortly(o, 503), "after the restart: " + o);
                }
            }
            assertTrue(outcomes.stream().anyMatch(o -> o.phase == Phase.DOWN), "calls were made while Redis was down");
        }
        for (int s = 0; s < SESSIONS; s++) {
            assertEquals(6, echoedBack[s].get(), "session " + s + " goes on after the restart");
        }

        // nothing acknowledged is lost: every session on every node, with the log level it set before the outage
        for (int node = 0; node < 2; node++) {
            for (String id : busy) {
                assertEquals(200, send(Phase.BACK, -1, node, id, ping()).status);
            }
            for (String id : node == 0 ? onlyOnB : onlyOnA) {
                Outcome counted = send(Phase.BACK, -1, node, id, call("cnt", "slow_count", "{\"count\":2,\"delay_ms\":1}"));
                assertEquals(200, counted.status, counted.toString());
                assertTrue(counted.body.contains("Counted to 2") && !counted.body.contains("notifications/message"),
                        "log level error, set before the outage on the other node, holds: " + counted);
            }
            initialize(node); // and new clients are served again
        }
    }

    private static void assertRetryShortly(Outcome o, int status, String what) {
        assertTrue(isRetryShortly(o, status), what + " while Redis is down: a JSON-RPC error -32603 'retry shortly'"
                + (status > 0 ? " with HTTP " + status : "") + ", got " + o);
        assertTrue(o.millis < SLOWEST_ANSWER_MS, what + " is answered at once: " + o);
    }

    /** An error body (JSON, or the last event of a stream) with -32603 and "retry shortly"; {@code status} -1: any. */
    private static boolean isRetryShortly(Outcome o, int status) {
        if (o.failure != null || (status > 0 && o.status != status)) {
            return false;
        }
        JsonNode error = lastMessage(o.body).path("error");
        return error.path("code").asInt() == -32603 && error.path("message").asText().contains("retry shortly");
    }

    private static JsonNode lastMessage(String body) {
        String json = body.strip();
        if (!json.startsWith("{")) { // an event stream: its last data line
            json = "{}";
            for (String line : body.split("\n")) {
                if (line.startsWith("data:") && line.length() > 5 && !line.substring(5).isBlank()) {
                    json = line.substring(5).strip();
                }
            }
        }
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private Outcome send(Phase phase, int session, int node, String sessionId, String body) {
        long t0 = System.nanoTime();
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(nodes.get(node).httpUri("/mcp"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json, text/event-stream").header("Content-Type", "application/json")
                    .header("MCP-Protocol-Version", "2025-06-18").POST(HttpRequest.BodyPublishers.ofString(body));
            if (sessionId != null) {
                b.header("Mcp-Session-Id", sessionId);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(phase, session, node, r.statusCode(), r.body(), null, (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
            return new Outcome(phase, session, node, -1, "", e.toString(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private String initialize(int node) throws Exception {
        HttpResponse<String> init = http.send(HttpRequest.newBuilder(nodes.get(node).httpUri("/mcp"))
                .timeout(Duration.ofSeconds(30)).header("Accept", "application/json, text/event-stream")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(initializeRequest())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, init.statusCode(), init.body());
        String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        Outcome initialized = send(Phase.UP, -1, node, id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        assertEquals(202, initialized.status, initialized.toString());
        return id;
    }

    /** A session opened and used on {@code node} only, its log level set to error there (acknowledged). */
    private String quietSession(int node) throws Exception {
        String id = initialize(node);
        Outcome level = send(Phase.UP, -1, node, id,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"error\"}}");
        assertEquals(200, level.status, level.toString());
        assertTrue(lastMessage(level.body).has("result"), level.toString());
        return id;
    }

    private static String initializeRequest() {
        return """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"redis-restart-it","version":"1"}}}""";
    }

    private static String ping() {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}";
    }

    private static String call(String id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    /** Polls {@code /ready} until it answers {@code status}; returns the body. */
    private String awaitReady(ServerProcess node, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = http.send(HttpRequest.newBuilder(node.httpUri("/ready")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == status) {
                return last.body();
            }
            pause(50);
        }
        fail("/ready never answered " + status + "; last: " + (last == null ? "none" : last.statusCode() + " "
                + last.body()) + "\n" + node.stderr());
        return null;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what, List<?> seen) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return;
            }
            pause(20);
        }
        List<?> tail;
        synchronized (seen) {
            tail = new ArrayList<>(seen.subList(Math.max(0, seen.size() - 20), seen.size()));
        }
        fail("never: " + what + "; last outcomes: " + tail + logs());
    }

    private static String logs() {
        StringBuilder all = new StringBuilder();
        nodes.forEach(n -> all.append("\n--- ").append(n.workDir()).append(" ---\n").append(n.stderr()));
        return all.toString();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
