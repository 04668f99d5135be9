package io.mcpserver.e2e;

import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A cluster node ({@code cluster.enabled}) and its Redis (Debian's redis-server, with a password): the node starts
 * while Redis is down and {@code /ready} says 503 until Redis is there; Redis stopped and started again turns it 503
 * and back to 200 without a restart (the node reconnects with backoff); the password never reaches the log.
 */
class ClusterReadyIT {

    private static final String PASSWORD = "pw-" + Long.toHexString(System.nanoTime());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void readyFollowsRedisAndTheNodeReconnectsByItself() throws Exception {
        try (RedisProcess redis = RedisProcess.reserve("ready", PASSWORD);
             ServerProcess node = ServerProcess.builder().name("cluster-ready").tcp(false).plugins("demo")
                     .clusterNode(redis.url(), "node-a")
                     .start()) {
            String down = awaitReady(node, 503);
            assertTrue(down.contains("\"redis\":\"down: "), down);
            assertTrue(down.contains("\"node\":\"node-a\""), down);

            redis.start();
            String up = awaitReady(node, 200);
            assertTrue(up.contains("\"redis\":\"up\""), up);

            redis.stop();
            assertTrue(awaitReady(node, 503).contains("\"redis\":\"down: "));
            assertTrue(node.awaitStderr("Lost the connection to Redis", Duration.ofSeconds(30)), node.stderr());

            redis.start();
            awaitReady(node, 200);
            assertTrue(node.awaitStderr("Redis reachable again", Duration.ofSeconds(30)), node.stderr());
            assertFalse(node.stderr().contains(PASSWORD), "the password must never be logged:\n" + node.stderr());
        }
    }

    @Test
    void offByDefaultReadyIgnoresRedis() throws Exception {
        try (ServerProcess node = ServerProcess.builder().name("cluster-off").tcp(false).plugins("demo").start()) {
            String body = awaitReady(node, 200);
            assertFalse(body.contains("redis"), body);
            assertFalse(node.stderr().contains("Redis"), node.stderr());
        }
    }

    /** Polls {@code /ready} until it answers {@code status} (Lettuce's backoff tops out at 5 s); returns the body. */
    private String awaitReady(ServerProcess node, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = http.send(HttpRequest.newBuilder(node.httpUri("/ready")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == status) {
                return last.body();
            }
            Thread.sleep(100);
        }
        fail("/ready never answered " + status + "; last: " + (last == null ? "none" : last.statusCode() + " "
                + last.body()) + "\n" + node.stderr());
        return null;
    }
}
