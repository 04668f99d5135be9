package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Limits and tasks that hold for the cluster, not per node: two nodes ({@code bin/mcp-server} with
 * {@code cluster.enabled} and security on, real signed tokens) on one Redis, and a third that is killed. A principal's
 * rate-limit bucket drained by requests to both nodes is empty on both; its session cap counts the sessions of every
 * node, a session ended frees its place, and the sessions of a node killed with SIGKILL stop counting once its
 * heartbeat has run out; a task created on one node is read, cancelled (its work stops) and its result read on the
 * other. Each request goes to a node directly, so that which node serves what is certain.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLimitsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** limits.rate.per-principal-burst: what a principal may send at once, whichever nodes serve it. */
    private static final int BURST = 30;
    /** limits.max-sessions-per-principal. */
    private static final int CAP = 2;
    private static Path jwks;
    private static RedisProcess redis;
    private static TestJwt issuer;
    private static final List<ServerProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startRedisAndTwoNodes() throws Exception {
        redis = RedisProcess.start("limits", null);
        issuer = new TestJwt();
        Path dir = Files.createTempDirectory(TestEnv.workRoot(), "cluster-limits-keys-");
        jwks = issuer.writeJwks(dir.resolve("jwks.json"));
        for (String name : List.of("a", "b")) {
            nodes.add(node(name));
        }
        for (ServerProcess node : nodes) {
            node.awaitReadyEndpoint(Duration.ofSeconds(60));
        }
    }

    private static ServerProcess node(String name) throws Exception {
        return ServerProcess.builder().name("cluster-limits-" + name).tcp(false).plugins("demo", "conformance").config("""
                        security:
                          enabled: true
                          resource: %s
                          jwt:
                            jwks-file: %s
                            issuer: %s
                        limits:
                          max-sessions-per-principal: %d
                          rate:
                            per-principal: 1
                            per-principal-burst: %d
                        protocol:
                          tasks:
                            max-running: 1
                        plugins:
                          conformance:
                            enabled: true
                        """.formatted(TestJwt.AUDIENCE, jwks, TestJwt.ISSUER, CAP, BURST))
                .clusterNode(redis.url(), "node-" + name)
                .start();
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
    void aPrincipalsBucketDrainedThroughBothNodesIsEmptyOnBoth() throws Exception {
        String token = issuer.token("flooder", null);
        long started = System.nanoTime();
        HttpResponse<String> init = post(0, token, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"cluster-limits-it","version":"1"}}}""");
        assertEquals(200, init.statusCode(), init.body());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        int admitted = 1;
        HttpResponse<String> refused = null;
        boolean[] refusedBy = new boolean[2];
        // alternate between the nodes until each has refused: the bucket is empty as both see it
        for (int id = 2; !(refusedBy[0] && refusedBy[1]) && id < 200; id++) {
            HttpResponse<String> r = post(id % 2, token, session, "{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"method\":\"ping\"}");
            if (r.statusCode() == 429) {
                refused = r;
                refusedBy[id % 2] = true;
            } else {
                assertEquals(200, r.statusCode(), r.body());
                admitted++;
            }
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        assertTrue(refusedBy[0] && refusedBy[1], "never refused by both nodes; admitted " + admitted);
        // one bucket for both nodes: its burst, plus what refilled meanwhile (1 per second); per-node buckets would
        // have let 2 × BURST through
        assertTrue(admitted >= BURST && admitted <= BURST + seconds + 1, admitted + " admitted in " + seconds + " s");
        assertEquals(-32000, JSON.readTree(refused.body()).path("error").path("code").asInt(), refused.body());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), refused.headers().toString());
        HttpResponse<String> other = post(1, issuer.token("bystander", null), null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"cluster-limits-it","version":"1"}}}""");
        assertEquals(200, other.statusCode(), "another principal has a bucket of its own: " + other.body());
    }

    @Test
    @Order(2)
    void aTaskCreatedOnOneNodeIsReadCancelledAndFinishedOnTheOther() throws Exception {
        String token = issuer.token("tasker", null);
        String session = initialize(0, token, "2025-11-25");
        String first = taskOf(call(0, token, session, 10, "{\"seconds\":60}"));
        JsonNode seen = result(post(1, token, session, getTask(11, "tasks/get", first)));
        assertEquals("working", seen.path("status").asText(), seen.toString());
        // protocol.tasks.max-running is 1: node a runs no second task while the first one works there
        JsonNode busy = message(post(0, token, session, call(12, "{\"seconds\":1}")));
        assertEquals(-32000, busy.path("error").path("code").asInt(), busy.toString());

        JsonNode cancelled = result(post(1, token, session, getTask(13, "tasks/cancel", first)));
        assertEquals("cancelled", cancelled.path("status").asText(), cancelled.toString());
        // the cancel reached the work on node a: its slot is free again
        String second = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int id = 20; second == null && System.nanoTime() < deadline; id++) {
            JsonNode r = message(post(0, token, session, call(id, "{\"seconds\":1,\"label\":\"second\"}")));
            if (r.has("result")) {
                second = r.path("result").path("task").path("taskId").asText();
            } else {
                Thread.sleep(200);
            }
        }
        assertTrue(second != null, "node a never ran a task again: the cancel did not stop the first one");
        assertEquals("cancelled", result(post(0, token, session, getTask(40, "tasks/get", first)))
                .path("status").asText(), "cancelled for good");
        JsonNode done = result(post(1, token, session, getTask(41, "tasks/result", second))); // waits on node b
        assertTrue(done.path("content").path(0).path("text").asText().contains("Computed second"), done.toString());
        assertEquals("completed", result(post(1, token, session, getTask(42, "tasks/get", second)))
                .path("status").asText());
    }

    @Test
    @Order(3)
    void aPrincipalsSessionCapCountsTheSessionsOfEveryNode() throws Exception {
        String token = issuer.token("capped", null);
        String first = initialize(0, token, "2025-06-18");
        initialize(1, token, "2025-06-18");
        for (int node = 0; node < 2; node++) {
            HttpResponse<String> refused = post(node, token, null, INIT.formatted("2025-06-18"));
            assertEquals(429, refused.statusCode(), "node " + node + ": " + refused.body());
            assertTrue(message(refused).path("error").path("message").asText().contains("Too many sessions"),
                    refused.body());
        }
        HttpResponse<String> deleted = http.send(request(1, token, first).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, deleted.statusCode(), "DELETE on the other node: " + deleted.body());
        awaitTrue(() -> post(1, token, null, INIT.formatted("2025-06-18")).statusCode() == 200,
                "a session ended on node a frees its place for node b");
    }

    @Test
    @Order(4)
    void theSessionsOfAKilledNodeStopCounting() throws Exception {
        ServerProcess c = node("c");
        try {
            c.awaitReadyEndpoint(Duration.ofSeconds(60));
            nodes.add(c);
            String token = issuer.token("mortal", null);
            initialize(2, token, "2025-06-18");
            initialize(2, token, "2025-06-18");
            assertEquals(429, post(0, token, null, INIT.formatted("2025-06-18")).statusCode(),
                    "node c's two sessions count on node a");
            c.process().destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS); // SIGKILL
            // its heartbeat runs out within 8 s; then its count is dropped
            awaitTrue(() -> post(0, token, null, INIT.formatted("2025-06-18")).statusCode() == 200,
                    "node c's sessions stop counting once it is dead");
        } finally {
            c.close();
        }
    }

    @Test
    @Order(5)
    void racingOpensOfOnePrincipalOnBothNodesGetExactlyTheCapAndTheirPlacesBack() throws Exception {
        for (int round = 0; round < 3; round++) {
            String token = issuer.token("racing-" + round, null);
            CountDownLatch go = new CountDownLatch(1);
            List<HttpResponse<String>> answers = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<String>>> opens = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    int node = i % 2;
                    opens.add(pool.submit(() -> {
                        go.await();
                        return post(node, token, null, INIT.formatted("2025-06-18"));
                    }));
                }
                go.countDown();
                for (Future<HttpResponse<String>> f : opens) {
                    answers.add(f.get(60, TimeUnit.SECONDS));
                }
            }
            List<String> admitted = new ArrayList<>();
            for (HttpResponse<String> answer : answers) {
                if (answer.statusCode() == 200) {
                    admitted.add(answer.headers().firstValue("Mcp-Session-Id").orElseThrow());
                } else {
                    assertEquals(429, answer.statusCode(), answer.body());
                    assertTrue(answer.body().contains("max-sessions-per-principal"), answer.body());
                }
            }
            assertEquals(CAP, admitted.size(), "round " + round + ": 12 opens at once on two nodes");
            for (String session : admitted) {
                assertEquals(200, http.send(request(0, token, session).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            // a node takes its ended sessions off the shared count a moment after their DELETE: then the whole cap
            // opens again, on either node, and no more
            List<String> again = new ArrayList<>();
            awaitTrue(() -> {
                HttpResponse<String> init = post(again.size() % 2, token, null, INIT.formatted("2025-06-18"));
                if (init.statusCode() == 200) {
                    again.add(init.headers().firstValue("Mcp-Session-Id").orElseThrow());
                }
                return again.size() == CAP;
            }, "round " + round + ": the cap opens again once the racing sessions ended");
            assertEquals(429, post(1, token, null, INIT.formatted("2025-06-18")).statusCode(), "one over the cap");
        }
    }

    private static final String INIT = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s",
             "capabilities":{},"clientInfo":{"name":"cluster-limits-it","version":"1"}}}""";

    private String initialize(int node, String token, String version) throws Exception {
        HttpResponse<String> init = post(node, token, null, INIT.formatted(version));
        assertEquals(200, init.statusCode(), init.body());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = post(node, token, session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        assertEquals(202, initialized.statusCode(), initialized.body());
        return session;
    }

    private static String call(int id, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":"
                + "\"slow_compute\",\"arguments\":" + arguments + ",\"task\":{\"ttl\":120000}}}";
    }

    private HttpResponse<String> call(int node, String token, String session, int id, String arguments)
            throws Exception {
        return post(node, token, session, call(id, arguments));
    }

    private static String taskOf(HttpResponse<String> created) throws Exception {
        String id = result(created).path("task").path("taskId").asText();
        assertTrue(!id.isEmpty(), created.body());
        return id;
    }

    private static String getTask(int id, String method, String taskId) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{\"taskId\":\""
                + taskId + "\"}}";
    }

    private static JsonNode result(HttpResponse<String> response) throws Exception {
        JsonNode m = message(response);
        assertTrue(m.has("result"), response.statusCode() + " " + response.body());
        return m.get("result");
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(250);
        }
        fail("never: " + what);
    }

    private HttpRequest.Builder request(int node, String token, String session) {
        HttpRequest.Builder b = HttpRequest.newBuilder(nodes.get(node).httpUri("/mcp")).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + token)
                .header("MCP-Protocol-Version", "2025-06-18");
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b;
    }

    private HttpResponse<String> post(int node, String token, String session, String body) throws Exception {
        return http.send(request(node, token, session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON-RPC message of a reply: a JSON body, or the last {@code data:} event of a stream. */
    static JsonNode message(HttpResponse<String> response) throws Exception {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/event-stream")) {
            return JSON.readTree(response.body());
        }
        JsonNode last = null;
        BufferedReader reader = new BufferedReader(new StringReader(response.body()));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.startsWith("data:") && !line.substring(5).isBlank()) {
                last = JSON.readTree(line.substring(5).strip());
            }
        }
        if (last == null) {
            fail("no message in " + response.body());
        }
        return last;
    }
}
