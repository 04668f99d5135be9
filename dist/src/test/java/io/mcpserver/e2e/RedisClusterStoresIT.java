package io.mcpserver.e2e;

import io.mcpserver.server.cluster.ClusterNodes;
import io.mcpserver.server.cluster.RedisLink;
import io.mcpserver.server.cluster.RedisSessionCaps;
import io.mcpserver.server.cluster.RedisSessionStore;
import io.mcpserver.server.cluster.RedisTaskStore;
import io.mcpserver.server.config.ClusterSettings;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.server.protocol.SessionSlots;
import io.mcpserver.server.protocol.SessionState;
import io.mcpserver.server.protocol.SessionStreams;
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
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The atomic steps of the cluster's shared limits and tasks, raced on a real Redis by two "nodes" (two links): a
 * session cap admits exactly as many sessions as it allows however many nodes ask at once (and ends, and the nodes'
 * reconciliations, racing the opens change nothing of that, and leave nothing counted), and concurrent changes of
 * one task record on two nodes all take effect (compare-and-set, none lost). Also what the stores leave in Redis: one
 * heartbeat per node, subscriber sets that expire with their sessions, scripts sent by their digest.
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
                    // each opener goes on until it was admitted 3 times (a fixed number of tries could all fall
                    // while the first holders sleep, on a loaded machine: "3 admitted, 637 refused"); the deadline
                    // only stops a run whose slots are never given back, which the assertions below then report
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    for (int got = 0; got < 3 && System.nanoTime() < deadline; ) {
                        SessionSlots.Slot slot;
                        try {
                            slot = caps.admit(registry, subject, cap);
                        } catch (McpException e) {
                            refused.incrementAndGet();
                            Thread.sleep(1); // lets the holders run: they give the slots back
                            continue;
                        }
                        got++;
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

    /**
     * A node's reconciliation that falls between the two halves of a release (the shared count already lowered in
     * Redis, the slot still counted on the node) writes nothing: it used to write the node's count back one high,
     * which left a count in Redis after every session had ended (the racing test above, once, in a fresh-clone CI run).
     */
    @Test
    void aReconciliationBetweenTheSharedAndTheLocalHalfOfAReleaseWritesNoCountBack() throws Exception {
        SessionRegistry registry = new SessionRegistry(LogLevel.INFO);
        RedisSessionCaps caps = new RedisSessionCaps(linkA, nodesA, registry, SessionCaps.LOCAL);
        String subject = "between-" + System.nanoTime();
        String key = "mcp:sessions:" + subject;
        SessionSlots.Slot slot = caps.admit(registry, subject, 2);
        assertEquals("1", linkA.commands().hget(key, nodesA.instance()));
        // registered after the caps' own listener: runs once the shared release has started, while the slot counts here
        registry.slots().onReleased(released -> {
            try {
                awaitTrue(() -> linkA.commands().hget(key, nodesA.instance()) == null, "the shared count lowered");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            caps.reconcile();
            return null;
        });
        slot.release();
        assertEquals(0, registry.slots().held(subject));
        assertEquals(null, linkA.commands().hget(key, nodesA.instance()), "the node's count in Redis after the release"
                + " (a node with none has no field)");
    }

    @Test
    void aNodeRestartedUnderItsIdEndsItsPredecessorAtOnceAndHasOneHeartbeat() throws Exception {
        RedisLink first = RedisRateBucketsIT.link(redis, "node-r");
        RedisLink second = RedisRateBucketsIT.link(redis, "node-r");
        try {
            ClusterNodes before = new ClusterNodes(first).start();
            awaitTrue(() -> nodesB.alive(before.instance()), "the first instance beats");
            assertTrue(nodesB.nodeAlive("node-r"));
            assertEquals(List.of("mcp:node:node-r"), first.commands().keys("mcp:node:node-r*"),
                    "one heartbeat key per node, named by its id");
            ClusterNodes after = new ClusterNodes(second).start(); // the same node id, restarted
            awaitTrue(() -> nodesB.alive(after.instance()), "the new instance beats");
            assertFalse(nodesB.alive(before.instance()), "its predecessor is dead at once, not after its lease");
            before.close(); // the old process stopping late must not end the new one's mark
            assertTrue(nodesB.alive(after.instance()));
            assertTrue(nodesB.nodeAlive("node-r"));
            after.close();
            assertFalse(nodesB.nodeAlive("node-r"), "a node that stops says so at once");
            assertFalse(nodesB.nodeAlive("node-never"));
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aSubscriberSetExpiresWithItsSessionsAndLosesAnEndedOneAtOnce() {
        RedisSessionStore store = new RedisSessionStore(linkA, nodesA, 16);
        store.idleTimeout(Duration.ofSeconds(60));
        String uri = "file:///watched-" + System.nanoTime();
        String set = "mcp:subscribers:" + uri;
        var redisCommands = linkA.commands();
        redisCommands.sadd(set, "left-over"); // as written before subscriber sets expired: no expiry at all
        SessionState one = state("s1-" + System.nanoTime(), Set.of(uri));
        SessionState two = state("s2-" + System.nanoTime(), Set.of(uri));
        store.save(one);
        store.save(two);
        long ttl = redisCommands.pttl(set);
        assertTrue(ttl > 50_000 && ttl <= 60_000, "expires after the idle timeout, was " + ttl + " ms");
        assertEquals(Set.of(one.id(), two.id()), store.subscribers(uri), "the sessions that subscribed, and no other");
        assertEquals(Set.of(one.id(), two.id()), Set.copyOf(redisCommands.smembers(set)), "the stale one dropped");

        redisCommands.pexpire(set, 1000);
        store.touch(one.id(), one.subscriptions());
        assertTrue(redisCommands.pttl(set) > 50_000, "a subscribed session used pushes its set's expiry back");

        store.delete(one.id(), one.subscriptions());
        assertEquals(Set.of(two.id()), Set.copyOf(redisCommands.smembers(set)), "an ended session leaves at once");
        store.delete(two.id(), two.subscriptions());
        assertEquals(0, redisCommands.exists(set), "the last subscriber gone, the set is gone");
    }

    /**
     * A POST stream's copy on a real Redis: node c asks (on {@code mcp:stream-copies}) for a stream node d runs and
     * gets d's answer only once d's copy is stored; a copy sent again adds only the events above the last one kept, so
     * each is kept once and in order; a stream no node answers for is {@code NO_ANSWER} after the wait.
     */
    @Test
    void aPostStreamIsCopiedWhenAskedForAndEachEventKeptOnce() throws Exception {
        RedisLink linkC = new RedisLink(new ClusterSettings(true, redis.url(), "node-c"));
        RedisLink linkD = new RedisLink(new ClusterSettings(true, redis.url(), "node-d"));
        open.addAll(List.of(linkC, linkD));
        // subscribed before the links start: their channels are subscribed when they connect
        SessionStreams c = new RedisSessionStore(linkC, new ClusterNodes(linkC), 16).streams();
        SessionStreams d = new RedisSessionStore(linkD, new ClusterNodes(linkD), 16).streams();
        linkC.start();
        linkD.start();
        awaitTrue(() -> linkC.up() && linkD.up(), "both links connected");
        String session = "copied-" + System.nanoTime();
        List<SessionStreams.Event> three = List.of(new SessionStreams.Event(1, "{\"n\":1}"),
                new SessionStreams.Event(2, "{\"n\":2}"), new SessionStreams.Event(3, "{\"n\":3}"));
        d.onCopyAsked((s, stream) -> switch (stream) {
            case "p1.runs-on-d" -> d.copy(s, stream, three).thenApply(v -> SessionStreams.CopyAnswer.COPIED);
            case "p2.gone-from-d" -> java.util.concurrent.CompletableFuture.completedFuture(
                    SessionStreams.CopyAnswer.NOT_HELD);
            default -> null; // not d's
        });
        assertTrue(c.after(session, "p1.runs-on-d", 0, 10).isEmpty(), "nothing in Redis before anyone asks");

        assertEquals(SessionStreams.CopyAnswer.COPIED, c.askToCopy(session, "p1.runs-on-d", Duration.ofSeconds(10)));
        assertEquals(List.of(1L, 2L, 3L), seqs(c.after(session, "p1.runs-on-d", 0, 10)), "stored before the answer");

        List<SessionStreams.Event> overlapping = List.of(new SessionStreams.Event(2, "{\"n\":2}"),
                new SessionStreams.Event(3, "{\"n\":3}"), new SessionStreams.Event(4, "{\"n\":4}"),
                new SessionStreams.Event(5, "{\"n\":5}"));
        d.copy(session, "p1.runs-on-d", overlapping).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        List<SessionStreams.Event> kept = c.after(session, "p1.runs-on-d", 0, 10);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(kept), "each event once, in order");
        assertEquals("{\"n\":4}", kept.get(3).data());
        assertEquals(List.of(4L, 5L), seqs(c.after(session, "p1.runs-on-d", 3, 10)), "read from where a client was");

        assertEquals(SessionStreams.CopyAnswer.NOT_HELD, c.askToCopy(session, "p2.gone-from-d", Duration.ofSeconds(10)));
        long asked = System.nanoTime();
        assertEquals(SessionStreams.CopyAnswer.NO_ANSWER, c.askToCopy(session, "p3.nobodys", Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - asked >= Duration.ofMillis(300).toNanos(), "waited for an answer");
        c.forget(session, "p1.runs-on-d");
        assertEquals(List.of(5L), seqs(c.after(session, "p1.runs-on-d", 0, 10)),
                "forgotten once read to its end, but its last event (the response): a later resume at it ends at once");
    }

    private static List<Long> seqs(List<SessionStreams.Event> events) {
        return events.stream().map(SessionStreams.Event::seq).toList();
    }

    @Test
    void scriptsAreSentByDigestAndAgainInFullWhenRedisForgotThem() throws Exception {
        RedisTaskStore tasks = new RedisTaskStore(linkA, nodesA);
        String id = "digest-" + System.nanoTime();
        tasks.create(TaskRecord.working(id, "owner", "tools/call", Instant.now(), Duration.ofMinutes(5),
                Duration.ofMillis(500)));
        var redisCommands = linkA.commands();
        redisCommands.scriptFlush(); // as after a Redis restart
        redisCommands.configResetstat();
        for (int i = 1; i <= 3; i++) {
            int n = i;
            tasks.update(id, r -> r.to(TaskStatus.WORKING, "step " + n, Instant.now()));
        }
        assertEquals("step 3", tasks.get(id).orElseThrow().statusMessage());
        String stats = redisCommands.info("commandstats");
        // the first change by digest, refused (NOSCRIPT), then in full; the next two by digest
        assertEquals(3, stat(stats, "evalsha", "calls"), stats);
        assertEquals(1, stat(stats, "evalsha", "failed_calls"), stats);
        assertEquals(1, stat(stats, "eval", "calls"), "the script's text once: " + stats);
    }

    /** One figure of {@code INFO commandstats}: {@code cmdstat_<command>:calls=…,failed_calls=…}. */
    private static long stat(String commandStats, String command, String name) {
        return commandStats.lines().filter(l -> l.startsWith("cmdstat_" + command + ":")).findFirst()
                .flatMap(l -> java.util.Arrays.stream(l.substring(l.indexOf(':') + 1).split(","))
                        .filter(kv -> kv.startsWith(name + "=")).findFirst())
                .map(kv -> Long.parseLong(kv.substring(name.length() + 1).trim())).orElse(0L);
    }

    private static SessionState state(String id, Set<String> subscriptions) {
        return new SessionState(id, "http-1", "http", "alice", Set.of(), Set.of(), "2025-06-18", null, null,
                LogLevel.INFO, subscriptions);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what);
            }
            Thread.sleep(20);
        }
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
