package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Redis, three {@code bin/mcp-server} cluster nodes and nginx with the balancer's configuration that
 * {@code deploy/nginx.conf} ships (round-robin, no stickiness; only the node addresses and the port are replaced):
 * the official TypeScript SDK runs one session whose requests nginx spreads over every node, including the
 * answers to the server's sampling requests, which land on another node than the call waiting for them
 * (cluster-client.mjs); the official conformance suite passes through it; and twenty sessions go on when a node is
 * killed with SIGKILL under their load.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterNginxIT {

    private static final Path CONF = TestEnv.projectRoot().resolve("deploy/nginx.conf");
    private static RedisProcess redis;
    private static final List<ServerProcess> nodes = new ArrayList<>();
    private static Process nginx;
    private static Path prefix;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start("nginx", "pw-nginx");
        for (String name : List.of("a", "b", "c")) {
            nodes.add(ServerProcess.builder().name("cluster-nginx-" + name).tcp(false).plugins("demo", "conformance")
                    .env("MCP_PLUGINS_CONFORMANCE_ENABLED", "true")
                    .env("MCP_PROTOCOL_REQUEST__STATE__KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]))
                    .clusterNode(redis.url(), "node-" + name).start());
        }
        for (ServerProcess node : nodes) {
            node.awaitReadyEndpoint(Duration.ofSeconds(60)); // connected to Redis (in the background, after the ready line)
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
        nodes.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void theSdksSessionIsServedByEveryNodeBehindRoundRobin() throws Exception {
        int port = port();
        NodeScript.Result run = NodeScript.of("cluster-client.mjs").args("http://127.0.0.1:" + port + "/mcp")
                .timeout(Duration.ofMinutes(3)).run();
        JsonNode step = run.assertSuccess().json().path("steps").path("session");
        if (!step.path("ok").asBoolean()) {
            fail("the session failed: " + step + "\n--- client ---\n" + run.stderr() + "\n--- nginx ---\n"
                    + Files.readString(prefix.resolve("error.log")) + logs());
        }
        assertTrue(step.path("tools").asInt() > 0, step.toString());
        assertEquals(6, step.path("echoes").size(), step.toString());
        for (int i = 0; i < 6; i++) {
            assertEquals("hello " + i, step.path("echoes").get(i).asText(), step.toString());
        }
        assertEquals(3, step.path("sampled").asInt(), step.toString());
        assertEquals(3, step.path("updated").asInt(), "one resources/updated per change, not one per node: " + step);
        for (int i = 0; i < 3; i++) {
            assertTrue(step.path("answers").get(i).asText().contains("to q" + i), step.toString());
        }

        // which node served what: nginx's access log names the upstream of every request of the session
        String session = step.path("sessionId").asText();
        Set<String> upstreams = new TreeSet<>();
        for (String line : Files.readAllLines(prefix.resolve("access.log"))) {
            String[] f = line.split(" ");
            if (f.length >= 3 && f[1].equals(session)) {
                upstreams.add(f[2]);
            }
        }
        assertEquals(3, upstreams.size(), "the session's requests reached every node: " + upstreams);
    }

    /** The official conformance suite's active scenarios (0.1.16) through nginx against the three nodes. */
    @Test
    @Order(2)
    void theConformanceSuitePassesThroughTheBalancer() throws Exception {
        int port = port();
        Path out = Files.createTempDirectory(TestEnv.workRoot(), "cluster-conformance-out-");
        NodeScript.Result run = NodeScript.of(ConformanceIT.SUITE)
                .args("server", "--url", "http://127.0.0.1:" + port + "/mcp", "-o", out.toString())
                .timeout(Duration.ofMinutes(5)).run();
        var results = ConformanceIT.results(out);
        assertTrue(results.size() >= 30, "expected the ~30 active scenarios, found " + results.keySet() + "\n" + run);
        List<String> failures = new ArrayList<>(ConformanceIT.failures(results, List.of()));
        for (String scenario : ConformanceIT.scenariosRun(run)) {
            if (!results.containsKey(scenario)) {
                failures.add(scenario + " [no results: it did not run to the end]");
            }
        }
        if (!failures.isEmpty() || run.exitCode() != 0) {
            fail("conformance failures through nginx: " + failures + "\n" + run + logs());
        }
    }

    /**
     * Twenty sessions call tools through nginx while one node is killed with SIGKILL: every session goes on, and
     * each loses at most the one call it had running (on the killed node: nginx answers it 502); afterwards nginx
     * sends nothing more to the dead node.
     */
    /**
     * A legacy HTTP+SSE session through round-robin nginx: the {@code /sse} stream stays on one node while the POSTs
     * to {@code /message} land on every node, and each answer reaches the stream.
     */
    @Test
    @Order(3)
    void aLegacySseSessionWorksThroughRoundRobin() throws Exception {
        int port = port();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpResponse<java.io.InputStream> sse = http.send(HttpRequest.newBuilder(base.resolve("/sse"))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, sse.statusCode());
        java.io.BufferedReader stream = new java.io.BufferedReader(
                new java.io.InputStreamReader(sse.body(), java.nio.charset.StandardCharsets.UTF_8));
        String endpoint = null;
        for (String line = stream.readLine(); line != null && endpoint == null; line = stream.readLine()) {
            if (line.startsWith("data:")) {
                endpoint = line.substring(5).strip();
            }
        }
        assertTrue(endpoint != null && endpoint.contains("sessionId="), "the endpoint event: " + endpoint);
        URI message = base.resolve(endpoint);
        String session = endpoint.substring(endpoint.indexOf("sessionId=") + "sessionId=".length());
        assertEquals(202, postLegacy(http, message, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05",
                 "capabilities":{},"clientInfo":{"name":"legacy-nginx","version":"1"}}}""").statusCode());
        assertEquals(1, nextData(stream).path("id").asInt(), "the initialize answer on the stream");
        assertEquals(202, postLegacy(http, message, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .statusCode());
        for (int i = 2; i < 8; i++) {
            HttpResponse<String> accepted = postLegacy(http, message, "{\"jsonrpc\":\"2.0\",\"id\":" + i
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"legacy " + i + "\"}}}");
            assertEquals(202, accepted.statusCode(), accepted.body());
            JsonNode answer = nextData(stream);
            assertEquals(i, answer.path("id").asInt(), answer.toString());
            assertTrue(answer.path("result").toString().contains("legacy " + i), answer.toString());
        }
        sse.body().close();

        Set<String> upstreams = new TreeSet<>();
        for (String line : Files.readAllLines(prefix.resolve("access.log"))) {
            String[] f = line.split(" ");
            if (f.length >= 5 && f[0].equals("POST") && f[4].equals(session)) { // /message?sessionId=…
                upstreams.add(f[2]);
            }
        }
        assertEquals(3, upstreams.size(), "the session's POSTs reached every node: " + upstreams);
    }

    private static HttpResponse<String> postLegacy(HttpClient http, URI message, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(message).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The next message of an SSE stream. */
    private static JsonNode nextData(java.io.BufferedReader stream) throws Exception {
        for (String line = stream.readLine(); line != null; line = stream.readLine()) {
            if (line.startsWith("data:") && !line.substring(5).isBlank()) {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(line.substring(5).strip());
            }
        }
        return fail("the stream ended");
    }

    @Test
    @Order(4)
    void twentySessionsGoOnWhenANodeIsKilled() throws Exception {
        URI mcp = URI.create("http://127.0.0.1:" + port() + "/mcp");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        int sessions = 20;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            HttpResponse<String> init = post(http, mcp, null, """
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                     "capabilities":{},"clientInfo":{"name":"kill-test","version":"1"}}}""");
            assertEquals(200, init.statusCode(), init.body());
            String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
            assertEquals(202, post(http, mcp, id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                    .statusCode());
            ids.add(id);
        }
        AtomicBoolean killed = new AtomicBoolean();
        CountDownLatch warmedUp = new CountDownLatch(sessions);
        AtomicInteger[] failures = new AtomicInteger[sessions];
        AtomicInteger[] afterKill = new AtomicInteger[sessions];
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int n = s;
            failures[n] = new AtomicInteger();
            afterKill[n] = new AtomicInteger();
            threads.add(Thread.ofVirtual().start(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                for (int call = 2; afterKill[n].get() < 5 && System.nanoTime() < deadline; call++) {
                    boolean afterTheKill = killed.get();
                    String text = "s" + n + "c" + call;
                    try {
                        HttpResponse<String> r = post(http, mcp, ids.get(n), "{\"jsonrpc\":\"2.0\",\"id\":" + call
                                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""
                                + text + "\"}}}");
                        if (r.statusCode() == 200 && r.body().contains("\"text\":\"" + text + "\"")) {
                            if (afterTheKill) {
                                afterKill[n].incrementAndGet();
                            }
                        } else {
                            failures[n].incrementAndGet();
                            problems.add("session " + n + " call " + call + ": " + r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures[n].incrementAndGet();
                        problems.add("session " + n + " call " + call + ": " + e);
                    }
                    if (call == 4) {
                        warmedUp.countDown();
                    }
                }
            }));
        }
        assertTrue(warmedUp.await(120, TimeUnit.SECONDS), "every session made calls: " + problems);
        nodes.get(2).process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL, mid-load
        killed.set(true);
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(150));
        }
        for (int s = 0; s < sessions; s++) {
            assertEquals(5, afterKill[s].get(), "session " + s + " goes on after the kill: " + problems);
            assertTrue(failures[s].get() <= 1, "session " + s + " lost at most the call running on the killed node: "
                    + problems);
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String session, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json, text/event-stream").header("Content-Type", "application/json")
                .header("MCP-Protocol-Version", "2025-06-18").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int nginxPort;

    /** nginx, started once for the class. */
    private static synchronized int port() throws Exception {
        if (nginx == null) {
            nginxPort = startNginx();
        }
        return nginxPort;
    }

    private static int startNginx() throws Exception {
        prefix = Files.createTempDirectory(TestEnv.workRoot(), "cluster-nginx-");
        int port = RedisProcess.freePort();
        String conf = Files.readString(CONF);
        for (int i = 0; i < 3; i++) {
            String node = "node-" + "abc".charAt(i) + ":9001";
            assertTrue(conf.contains(node), "deploy/nginx.conf names " + node);
            conf = conf.replace(node, "127.0.0.1:" + nodes.get(i).httpPort());
        }
        assertTrue(conf.contains("listen 8080;"));
        conf = conf.replace("listen 8080;", "listen 127.0.0.1:" + port + ";")
                .replace("http {", "http {\n    log_format session '$request_method $http_mcp_session_id $upstream_addr $status $arg_sessionId';\n"
                        + "    access_log " + prefix + "/access.log session;\n"
                        + "    client_body_temp_path " + prefix + "/body;\n    proxy_temp_path " + prefix + "/proxy;\n"
                        + "    fastcgi_temp_path " + prefix + "/fastcgi;\n    uwsgi_temp_path " + prefix + "/uwsgi;\n"
                        + "    scgi_temp_path " + prefix + "/scgi;\n");
        conf = ("root".equals(System.getProperty("user.name")) ? "user root;\n" : "") + "pid " + prefix + "/nginx.pid;\n" + conf;
        Files.writeString(prefix.resolve("nginx.conf"), conf);
        nginx = new ProcessBuilder(TestEnv.nginx().toString(), "-p", prefix + "/", "-e", prefix + "/error.log",
                "-c", prefix + "/nginx.conf", "-g", "daemon off;").redirectErrorStream(true)
                .redirectOutput(prefix.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!nginx.isAlive()) {
                fail("nginx exited: " + Files.readString(prefix.resolve("nginx.out")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return port;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        fail("nginx does not listen on " + port);
        return -1;
    }

    private static String logs() {
        StringBuilder all = new StringBuilder();
        nodes.forEach(n -> all.append("\n--- ").append(n.workDir()).append(" ---\n").append(n.stderr()));
        return all.toString();
    }
}
