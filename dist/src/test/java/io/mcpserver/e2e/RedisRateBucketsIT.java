package io.mcpserver.e2e;

import io.mcpserver.server.cluster.RedisLink;
import io.mcpserver.server.cluster.RedisRateBuckets;
import io.mcpserver.server.config.ClusterSettings;
import io.mcpserver.server.config.SecuritySettings.RateLimitSettings;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.security.RateBuckets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rate limits' buckets in a real Redis, shared by two "nodes" (two links, two {@link RedisRateBuckets}) on a
 * clock the test moves (the script's {@code now} and the nodes' monotonic clock): exact counts across nodes, the
 * global bucket refusing without costing the principal a token, a refusal remembered by the node that saw it, and
 * both fallbacks while Redis is down.
 */
class RedisRateBucketsIT {

    private static RedisProcess redis;
    private static RedisLink linkA;
    private static RedisLink linkB;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    /** The script's clock: an epoch far from others so that runs of this test never share a bucket. */
    private final long epochMicros = System.currentTimeMillis() * 1000;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start("rate", null);
        linkA = link(redis, "node-a");
        linkB = link(redis, "node-b");
    }

    @AfterAll
    static void stop() throws Exception {
        if (linkA != null) {
            linkA.close();
        }
        if (linkB != null) {
            linkB.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static RedisLink link(RedisProcess redis, String node) throws InterruptedException {
        RedisLink link = new RedisLink(new ClusterSettings(true, redis.url(), node)).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!link.up() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(link.up(), node + " connected to Redis");
        return link;
    }

    private RedisRateBuckets buckets(RedisLink link, RateLimitSettings settings, RedisRateBuckets.Fallback fallback,
                                     RateBuckets local) {
        return new RedisRateBuckets(link, settings, local, fallback, () -> epochMicros + nanos.get() / 1000);
    }

    private void advanceMillis(long ms) {
        nanos.addAndGet(ms * 1_000_000);
    }

    private static final RateBuckets NO_LOCAL = (principal, now) -> {
        throw new AssertionError("the local buckets are only for while Redis is down");
    };

    @Test
    void aPrincipalsBucketIsDrainedAcrossNodes() {
        RateLimitSettings settings = new RateLimitSettings(2, 4, 0, 0);
        String alice = "sub:alice-" + System.nanoTime();
        RedisRateBuckets a = buckets(linkA, settings, RedisRateBuckets.Fallback.LOCAL, NO_LOCAL);
        RedisRateBuckets b = buckets(linkB, settings, RedisRateBuckets.Fallback.LOCAL, NO_LOCAL);
        assertNull(a.take(alice, nanos.get()));
        assertNull(b.take(alice, nanos.get()));
        assertNull(a.take(alice, nanos.get()));
        assertNull(b.take(alice, nanos.get()));
        RateBuckets.Refusal refusal = a.take(alice, nanos.get());
        assertNotNull(refusal, "four tokens in all, whichever node took them");
        assertEquals(RateBuckets.Bucket.PRINCIPAL, refusal.bucket());
        assertEquals(500_000_000L, refusal.waitNanos(), "2 per second: the next token in 500 ms");
        assertNotNull(b.take(alice, nanos.get()), "node b sees the same empty bucket");
        assertNull(a.take("sub:bob-" + System.nanoTime(), nanos.get()), "another principal has a bucket of its own");

        advanceMillis(500);
        assertNull(b.take(alice, nanos.get()), "one token back after 500 ms");
        assertNotNull(a.take(alice, nanos.get()), "and only one");
    }

    @Test
    void aNodeRemembersARefusalUntilItsWaitIsOverWithoutAskingRedis() throws Exception {
        RateLimitSettings settings = new RateLimitSettings(1, 1, 0, 0);
        String carol = "sub:carol-" + System.nanoTime();
        RedisRateBuckets a = buckets(linkA, settings, RedisRateBuckets.Fallback.LOCAL, NO_LOCAL);
        assertNull(a.take(carol, nanos.get()));
        assertEquals(1_000_000_000L, a.take(carol, nanos.get()).waitNanos());
        try (RedisLink c = link(redis, "node-c")) {
            // Redis says empty to node a; another node's bucket view (no refusal seen yet) must ask Redis
            RedisRateBuckets other = buckets(c, settings, RedisRateBuckets.Fallback.REFUSE, NO_LOCAL);
            redis.stop();
            advanceMillis(400);
            RateBuckets.Refusal remembered = a.take(carol, nanos.get());
            assertEquals(600_000_000L, remembered.waitNanos(), "node a refuses from memory, Redis down or not");
            McpException e = assertThrows(McpException.class, () -> other.take(carol, nanos.get()));
            assertEquals(SessionStore.UNAVAILABLE, e.getMessage());
        } finally {
            redis.start();
            awaitUp(linkA);
            awaitUp(linkB);
        }
    }

    @Test
    void theGlobalBucketRefusingCostsThePrincipalNothing() {
        RateLimitSettings settings = new RateLimitSettings(1, 3, 1, 1);
        String dave = "sub:dave-" + System.nanoTime();
        linkA.commands().del("mcp:rate:global");
        assertNull(buckets(linkA, settings, RedisRateBuckets.Fallback.LOCAL, NO_LOCAL)
                .take("sub:erin-" + System.nanoTime(), nanos.get()), "takes the one global token");
        for (int i = 0; i < 3; i++) { // a fresh view each time: each refusal is Redis's, not one remembered
            RateBuckets.Refusal busy = buckets(i % 2 == 0 ? linkA : linkB, settings, RedisRateBuckets.Fallback.LOCAL,
                    NO_LOCAL).take(dave, nanos.get());
            assertEquals(RateBuckets.Bucket.GLOBAL, busy.bucket());
            assertEquals(1_000_000_000L, busy.waitNanos());
        }
        assertNull(linkA.commands().hget("mcp:rate:p:" + dave, "tokens"), "no token of dave's was taken");
        advanceMillis(1000);
        assertNull(buckets(linkB, settings, RedisRateBuckets.Fallback.LOCAL, NO_LOCAL).take(dave, nanos.get()));
        assertEquals("2.000000", linkA.commands().hget("mcp:rate:p:" + dave, "tokens"), "3 − 1");
    }

    @Test
    void withFallbackLocalANodeLimitsOnItsOwnWhileRedisIsDown() throws Exception {
        RateLimitSettings settings = new RateLimitSettings(1, 1, 0, 0);
        AtomicLong localTakes = new AtomicLong();
        RedisRateBuckets a = buckets(linkA, settings, RedisRateBuckets.Fallback.LOCAL, (principal, now) -> {
            localTakes.incrementAndGet();
            return null;
        });
        try {
            redis.stop();
            assertNull(a.take("sub:frank", nanos.get()));
            assertEquals(1, localTakes.get(), "the node's own buckets decided");
        } finally {
            redis.start();
            awaitUp(linkA);
            awaitUp(linkB);
        }
        awaitTrue(() -> {
            long before = localTakes.get();
            return a.take("sub:frank-" + System.nanoTime(), nanos.get()) == null && localTakes.get() == before;
        });
    }

    private static void awaitUp(RedisLink link) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!link.up() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(link.up(), "reconnected");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (check.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // Redis not answering yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("never held");
    }
}
