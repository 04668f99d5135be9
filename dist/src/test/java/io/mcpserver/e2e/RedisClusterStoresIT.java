package io.mcpserver.e2e;

import io.mcpserver.server.cluster.ClusterNodes;
import io.mcpserver.server.cluster.RedisLink;
import io.mcpserver.server.cluster.RedisSessionCaps;
import io.mcpserver.server.cluster.RedisTaskStore;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.server.security.SessionCaps;
import io.mcpserver.server.tasks.TaskRecord;
import io.mcpserver.server.tasks.TaskStatus;
import io.mcpserver.spi.LogLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The atomic steps of the cluster's shared limits and tasks, raced on a real Redis by two "nodes" (two links): a
 * session cap admits exactly as many sessions as it allows however many nodes ask at once, and concurrent changes of
 * one task record on two nodes all take effect (compare-and-set, none lost).
 */
class RedisClusterStoresIT {

    private static RedisProcess redis;
    private static final List<AutoCloseable> open = new ArrayList<>();
    private static RedisLink linkA;
    private static RedisLink linkB;
    private static ClusterNodes nodesA;
    private static ClusterNodes nodesB;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start("stores", null);
        linkA = RedisRateBucketsIT.link(redis, "node-a");
        linkB = RedisRateBucketsIT.link(redis, "node-b");
        nodesA = new ClusterNodes(linkA).start();
        nodesB = new ClusterNodes(linkB).start();
        open.addAll(List.of(nodesA, nodesB, linkA, linkB));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void twoNodesAdmittingAtOnceNeverPassTheCap() throws Exception {
        RedisSessionCaps capsA = new RedisSessionCaps(linkA, nodesA, new SessionRegistry(LogLevel.INFO), SessionCaps.LOCAL);
        RedisSessionCaps capsB = new RedisSessionCaps(linkB, nodesB, new SessionRegistry(LogLevel.INFO), SessionCaps.LOCAL);
        String subject = "racer-" + System.nanoTime();
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            RedisSessionCaps caps = i % 2 == 0 ? capsA : capsB;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    caps.admit(new SessionRegistry(LogLevel.INFO), subject, 5);
                    admitted.incrementAndGet();
                } catch (McpException e) {
                    refused.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(5, admitted.get(), "exactly the cap, whichever node asked");
        assertEquals(35, refused.get());
    }

    @Test
    void concurrentChangesOfOneTaskOnTwoNodesAreAllKept() throws Exception {
        RedisTaskStore a = new RedisTaskStore(linkA, nodesA);
        RedisTaskStore b = new RedisTaskStore(linkB, nodesB);
        String id = "race-" + System.nanoTime();
        a.create(TaskRecord.working(id, "owner", "tools/call", Instant.now(), Duration.ofMinutes(5),
                Duration.ofMillis(500)));
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RedisTaskStore store = i % 2 == 0 ? a : b;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    for (int n = 0; n < 10; n++) {
                        store.update(id, r -> r.to(TaskStatus.WORKING, Integer.toString(
                                r.statusMessage() == null ? 1 : Integer.parseInt(r.statusMessage()) + 1), Instant.now()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals("80", b.get(id).orElseThrow().statusMessage(), "every one of the 80 increments is kept");
        b.update(id, r -> r.to(TaskStatus.CANCELLED, "cancelled on b", Instant.now()));
        a.update(id, r -> r.completed(null, Instant.now()));
        assertEquals(TaskStatus.CANCELLED, a.get(id).orElseThrow().status(), "the first final status stays");
    }
}
