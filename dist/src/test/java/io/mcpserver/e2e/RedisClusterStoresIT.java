package io.mcpserver.e2e;

import io.mcpserver.server.cluster.ClusterNodes;
import io.mcpserver.server.cluster.RedisLink;
import io.mcpserver.server.cluster.RedisSessionCaps;
import io.mcpserver.server.cluster.RedisTaskStore;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.server.protocol.SessionSlots;
import io.mcpserver.server.security.SessionCaps;
import io.mcpserver.server.tasks.TaskRecord;
import io.mcpserver.server.tasks.TaskStatus;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The atomic steps of the cluster's shared limits and tasks, raced on a real Redis by two "nodes" (two links): a
 * session cap admits exactly as many sessions as it allows however many nodes ask at once (and ends, and the nodes'
 * reconciliations, racing the opens change nothing of that, and leave nothing counted), and concurrent changes of
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
                    caps.admit(null, subject, 5);
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

    /**
     * Opens and ends racing on two nodes, with both nodes writing their counts back (reconciling) all the while: no
     * moment has more sessions than the cap, and once all have ended the count in Redis is 0 again, so that exactly
     * the cap can be opened afresh (nothing leaked, nothing undone by a reconciliation).
     */
    @Test
    void opensAndEndsRacingOnTwoNodesNeverPassTheCapAndLeaveNothingCounted() throws Exception {
        SessionRegistry registryA = new SessionRegistry(LogLevel.INFO);
        SessionRegistry registryB = new SessionRegistry(LogLevel.INFO);
        RedisSessionCaps capsA = new RedisSessionCaps(linkA, nodesA, registryA, SessionCaps.LOCAL);
        RedisSessionCaps capsB = new RedisSessionCaps(linkB, nodesB, registryB, SessionCaps.LOCAL);
        String subject = "churn-" + System.nanoTime();
        int cap = 3;
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean racing = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (RedisSessionCaps caps : List.of(capsA, capsB)) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (racing.get()) {
                    caps.reconcile(); // what every node does every 30 s and after a reconnection
                    try {
                        Thread.sleep(1); // a virtual thread: spinning would starve the openers of the carriers
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        List<Thread> openers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            SessionRegistry registry = i % 2 == 0 ? registryA : registryB;
            RedisSessionCaps caps = i % 2 == 0 ? capsA : capsB;
            boolean viaSession = i % 4 < 2; // half end a session holding the slot, half give back a bare reservation
            openers.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    for (int n = 0; n < 40; n++) {
                        SessionSlots.Slot slot;
                        try {
                            slot = caps.admit(registry, subject, cap);
                        } catch (McpException e) {
                            refused.incrementAndGet();
                            Thread.yield();
                            continue;
                        }
                        admitted.incrementAndGet();
                        most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                        Session session = viaSession ? registry.open("http", Caller.builder(subject).build(), null) : null;
                        if (session != null) {
                            registry.hold(session, slot);
                        }
                        Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                        holding.decrementAndGet();
                        if (session != null) {
                            registry.close(session, "done");
                        } else {
                            slot.release();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : openers) {
            t.join();
        }
        racing.set(false);
        for (Thread t : threads) {
            t.join();
        }
        String context = admitted + " admitted, " + refused + " refused";
        assertTrue(most.get() <= cap, "at most " + cap + " at once, but " + most + ": " + context);
        assertTrue(refused.get() > 0 && admitted.get() > cap, "the opens raced for the slots: " + context);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!linkA.commands().hgetall("mcp:sessions:" + subject).values().stream().allMatch("0"::equals)) {
            assertTrue(System.nanoTime() < deadline, "still counted after every session ended: "
                    + linkA.commands().hgetall("mcp:sessions:" + subject) + "; " + context);
            Thread.sleep(10);
        }
        capsA.reconcile();
        capsB.reconcile();
        for (int i = 0; i < cap; i++) {
            (i % 2 == 0 ? capsA : capsB).admit(null, subject, cap);
        }
        assertThrows(McpException.class, () -> capsB.admit(null, subject, cap), "one over the cap afresh");
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
