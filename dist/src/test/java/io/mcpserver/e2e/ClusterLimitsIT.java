package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Limits that hold for the cluster, not per node: two nodes ({@code bin/mcp-server} with {@code cluster.enabled} and
 * security on, real signed tokens) on one Redis. A principal's rate-limit bucket drained by requests to both nodes
 * is empty on both. Each request goes to a node directly, so that which node serves what is certain.
 */
class ClusterLimitsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** limits.rate.per-principal-burst: what a principal may send at once, whichever nodes serve it. */
    private static final int BURST = 10;
    private static RedisProcess redis;
    private static TestJwt issuer;
    private static final List<ServerProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startRedisAndTwoNodes() throws Exception {
        redis = RedisProcess.start("limits", null);
        issuer = new TestJwt();
        Path dir = Files.createTempDirectory(TestEnv.workRoot(), "cluster-limits-keys-");
        Path jwks = issuer.writeJwks(dir.resolve("jwks.json"));
        for (String name : List.of("a", "b")) {
            nodes.add(ServerProcess.builder().name("cluster-limits-" + name).tcp(false).plugins("demo").config("""
                            security:
                              enabled: true
                              resource: %s
                              jwt:
                                jwks-file: %s
                                issuer: %s
                            limits:
                              rate:
                                per-principal: 1
                                per-principal-burst: %d
                            """.formatted(TestJwt.AUDIENCE, jwks, TestJwt.ISSUER, BURST))
                    .env("MCP_CLUSTER_ENABLED", "true")
                    .env("MCP_CLUSTER_REDIS_URL", redis.url())
                    .env("MCP_CLUSTER_NODE__ID", "node-" + name)
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

    @Test
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
        for (int id = 2; refused == null && id < 100; id++) {
            HttpResponse<String> r = post(id % 2, token, session, "{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"method\":\"ping\"}");
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertEquals(200, r.statusCode(), r.body());
                admitted++;
            }
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        assertTrue(refused != null, "never refused");
        // one bucket for both nodes: its burst, plus what refilled meanwhile (1 per second); per-node buckets would
        // have let 2 × BURST through
        assertTrue(admitted >= BURST && admitted <= BURST + seconds + 1, admitted + " admitted in " + seconds + " s");
        assertEquals(-32000, JSON.readTree(refused.body()).path("error").path("code").asInt(), refused.body());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), refused.headers().toString());
        for (int node = 0; node < 2; node++) {
            HttpResponse<String> r = post(node, token, session, "{\"jsonrpc\":\"2.0\",\"id\":200,\"method\":\"ping\"}");
            assertEquals(429, r.statusCode(), "node " + node + ": " + r.body());
        }
        HttpResponse<String> other = post(1, issuer.token("bystander", null), null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"cluster-limits-it","version":"1"}}}""");
        assertEquals(200, other.statusCode(), "another principal has a bucket of its own: " + other.body());
    }

    private HttpResponse<String> post(int node, String token, String session, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(nodes.get(node).httpUri("/mcp")).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json, text/event-stream")
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .header("MCP-Protocol-Version", "2025-06-18");
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
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

    static URI uri(ServerProcess node) {
        return node.httpUri("/mcp");
    }
}
