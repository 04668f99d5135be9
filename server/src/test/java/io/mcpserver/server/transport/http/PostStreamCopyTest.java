package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.SessionState;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.testing.MemorySessionStates;
import io.mcpserver.server.testing.TestCore;
import io.mcpserver.server.protocol.SessionStreams;
import io.mcpserver.spi.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A POST's stream of a cluster's shared session is copied to the cluster's log only once its client may resume it on
 * another node: its connection to the node running it ended first, or another node asked for it (the handshake). Two
 * nodes' HTTP sessions on one log in memory that behaves like the Redis one (explicit ids that only grow, copies
 * announced, questions and answers between nodes).
 */
class PostStreamCopyTest {

    private static final Duration NONE = Duration.ZERO;
    private static final Duration RETRY = Duration.ofMillis(500);

    private final MemoryLog log = new MemoryLog();
    private final McpCore coreA = core("a");
    private final McpCore coreB = core("b");
    private final HttpSessions a = new HttpSessions(coreA, 100, Duration.ofMinutes(30), 64);
    private final HttpSessions b = new HttpSessions(coreB, 100, Duration.ofMinutes(30), 64);

    private McpCore core(String node) {
        return TestCore.on(log.node(node), node);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        coreA.close();
        coreB.close();
    }

    @Test
    void aStreamReadToItsEndOnItsNodeCostsTheLogNothing() {
        HttpSession onA = sessionOnA();
        SseStream stream = onA.openPostStream(IntNode.valueOf(7));
        for (int i = 1; i <= 10; i++) {
            stream.send(progress(i));
        }
        stream.send(response(7));
        stream.complete();

        Written out = new Written();
        assertEquals(SseStream.End.DRAINED, serve(onA, stream, 0, out));
        onA.releaseIfDrained(stream);

        assertEquals(11, out.ids().size(), "the client read the whole stream: " + out.ids());
        assertEquals(0, log.copies.get(), "nothing copied to the log");
        assertEquals(0, log.forgets.get(), "nothing to forget either");
        assertTrue(log.streams.isEmpty(), "the log holds nothing of it");
    }

    @Test
    void aStreamWhoseClientWentAwayIsCopiedFromItsStartThenAsItGoesEachEventOnceInOrder() throws Exception {
        HttpSession onA = sessionOnA();
        SseStream stream = onA.openPostStream(IntNode.valueOf(7));
        for (int i = 1; i <= 3; i++) {
            stream.send(progress(i));
        }
        assertTrue(log.streams.isEmpty(), "nothing copied while the client reads the stream here");

        Written gone = new Written();
        gone.failAfter = 0; // the client went away: the first write fails
        assertEquals(SseStream.End.DISCONNECTED, serve(onA, stream, 0, gone));
        String key = onA.id() + " " + stream.key();
        awaitTrue(() -> log.added(key).equals(List.of(1L, 2L, 3L)), "what the stream kept is copied: " + log.added(key));

        for (int i = 4; i <= 20; i++) {
            stream.send(progress(i));
        }
        stream.send(response(7));
        stream.complete();
        List<Long> all = new ArrayList<>();
        for (long n = 1; n <= 21; n++) {
            all.add(n);
        }
        awaitTrue(() -> log.added(key).equals(all), "then every later event, once, in order: " + log.added(key));
        assertTrue(log.copies.get() <= 21, "at most one write per event: " + log.copies.get());
    }

    @Test
    void anotherNodeResumingAStreamWhoseClientIsStillConnectedHereGetsEveryEventOnce() throws Exception {
        HttpSession onA = sessionOnA();
        SseStream stream = onA.openPostStream(IntNode.valueOf(7));
        Written stillConnected = new Written();
        CompletableFuture<SseStream.End> onAsConnection = CompletableFuture.supplyAsync(
                () -> serve(onA, stream, 0, stillConnected), Thread::startVirtualThread);
        for (int i = 1; i <= 3; i++) {
            stream.send(progress(i));
        }
        awaitTrue(() -> stillConnected.ids().size() == 3, "a's client read 3 events");
        assertTrue(log.streams.isEmpty(), "nothing copied yet: a's connection is alive as far as a knows");

        // the client lost a's connection without a noticing, and resumes on b after the first event
        HttpSession onB = b.find(onA.id()).orElseThrow();
        Optional<HttpSession.Resumption> resumed = onB.resume(stream.eventId(1));
        assertTrue(resumed.isPresent(), "b resumes it (a copied it when b asked)");
        Written onBsConnection = new Written();
        CompletableFuture<SseStream.End> followed = CompletableFuture.supplyAsync(
                () -> serve(onB, resumed.get().stream(), resumed.get().after(), onBsConnection), Thread::startVirtualThread);
        awaitTrue(() -> onBsConnection.ids().size() == 2, "b wrote what a held that the client missed: " + onBsConnection.ids());

        for (int i = 4; i <= 6; i++) {
            stream.send(progress(i));
        }
        stream.send(response(7));
        stream.complete();
        assertEquals(SseStream.End.DRAINED, followed.get(30, TimeUnit.SECONDS), "b's stream ends with the response");
        List<String> expected = new ArrayList<>();
        for (int n = 2; n <= 7; n++) {
            expected.add(stream.eventId(n));
        }
        assertEquals(expected, onBsConnection.ids(), "every event after the one read, once, in order");
        assertTrue(onBsConnection.text().contains("\"id\":7,\"result\""), onBsConnection.text());
        assertEquals(SseStream.End.DRAINED, onAsConnection.get(30, TimeUnit.SECONDS));
    }

    /**
     * A's connection wrote the whole stream into a connection the client no longer read (half-open: A noticed
     * nothing), so A forgot it without copying it. The client, which read only the first event, resumes on B: it must
     * get an error for its call rather than a 204 that leaves it waiting for an answer that will never come.
     */
    @Test
    void aResumptionOfAStreamItsNodeNoLongerHasAndTheLogLacksGetsAnErrorAtOnce() {
        HttpSession onA = sessionOnA();
        SseStream stream = onA.openPostStream(IntNode.valueOf(7));
        stream.send(progress(1));
        stream.send(response(7));
        stream.complete();
        assertEquals(SseStream.End.DRAINED, serve(onA, stream, 0, new Written()));
        onA.releaseIfDrained(stream);

        HttpSession onB = b.find(onA.id()).orElseThrow();
        long asked = System.nanoTime();
        Optional<HttpSession.Resumption> resumed = onB.resume(stream.eventId(1));
        assertTrue(resumed.isPresent(), "a no longer has it and the log holds no response: the client gets an error");
        Written onBsConnection = new Written();
        assertEquals(SseStream.End.DRAINED,
                serve(onB, resumed.get().stream(), resumed.get().after(), onBsConnection));
        assertTrue(System.nanoTime() - asked < TimeUnit.SECONDS.toNanos(2), "at once, not after a liveness check");
        assertEquals(List.of(stream.eventId(2)), onBsConnection.ids(), onBsConnection.text());
        assertError(onBsConnection.text(), 7, "(a) no longer holds");
        assertEquals(0, log.copies.get());
    }

    @Test
    void aResumptionAtTheResponseItsNodeNoLongerHasEndsAtOnce() throws Exception {
        HttpSession onA = sessionOnA();
        SseStream stream = onA.openPostStream(IntNode.valueOf(7));
        stream.send(progress(1));
        Written gone = new Written();
        gone.failAfter = 0; // the client went away: the stream is copied from here on
        assertEquals(SseStream.End.DISCONNECTED, serve(onA, stream, 0, gone));
        stream.send(response(7));
        stream.complete();
        String key = onA.id() + " " + stream.key();
        awaitTrue(() -> log.added(key).equals(List.of(1L, 2L)), "copied: " + log.added(key));
        a.close(); // a stops: it no longer has the stream

        HttpSession onB = b.find(onA.id()).orElseThrow();
        assertTrue(onB.resume(stream.eventId(2)).isEmpty(), "the client read the response: nothing to resume");
    }

    /**
     * A drops a finished stream (more than 16 finished ones are kept) while B follows it and A's copy of the last
     * events is still on its way to the log: the copy goes on until the log holds the response.
     */
    @Test
    void aFinishedStreamDroppedWhileAnotherNodeFollowsItIsCopiedToItsResponse() throws Exception {
        HttpSession onA = sessionOnA();
        HttpSession onB = b.find(onA.id()).orElseThrow();
        SseStream stream = onA.openPostStream(IntNode.valueOf(7));
        for (int i = 1; i <= 3; i++) {
            stream.send(progress(i));
        }
        // the client lost a's connection without a noticing, and resumes on b after the first event
        Optional<HttpSession.Resumption> resumed = onB.resume(stream.eventId(1));
        assertTrue(resumed.isPresent());
        Written onBsConnection = new Written();
        CompletableFuture<SseStream.End> followed = CompletableFuture.supplyAsync(
                () -> serve(onB, resumed.get().stream(), resumed.get().after(), onBsConnection), Thread::startVirtualThread);
        awaitTrue(() -> onBsConnection.ids().size() == 2, "b wrote what a held: " + onBsConnection.ids());

        CompletableFuture<Void> slow = new CompletableFuture<>();
        log.gate = slow; // Redis is slow: the next copy is in flight while the call ends
        stream.send(progress(4));
        stream.send(response(7));
        stream.complete();
        for (int n = 100; n < 100 + 18; n++) { // the session's later calls: a drops the oldest finished stream
            SseStream later = onA.openPostStream(IntNode.valueOf(n));
            later.send(response(n));
            later.complete();
        }
        assertTrue(onA.streamOf(stream.eventId(1)) == null, "a dropped the stream");
        log.gate = null;
        slow.complete(null);

        assertEquals(SseStream.End.DRAINED, followed.get(10, TimeUnit.SECONDS), "b's stream ends with the response");
        assertEquals(List.of(stream.eventId(2), stream.eventId(3), stream.eventId(4), stream.eventId(5)),
                onBsConnection.ids(), "every event after the one read, once, in order");
        assertTrue(onBsConnection.text().contains("\"id\":7,\"result\""), onBsConnection.text());
        awaitTrue(() -> onA.copyAsked(stream.key()).toCompletableFuture().getNow(null)
                == SessionStreams.CopyAnswer.NOT_HELD, "a lets the copy go once the log holds the response");
        assertTrue(onB.resume(stream.eventId(5)).isEmpty(), "read to its end: a later resume at the response has"
                + " nothing to deliver, though a no longer has the stream and b forgot it");
    }

    /**
     * While Redis is slow, at most 16 streams of a session that A let go wait for their copy to finish; the next one is
     * let go unfinished, and a resume of it elsewhere gets an error at once rather than nothing.
     */
    @Test
    void beyondSixteenStreamsWaitingForTheirCopyAStreamIsLetGoAndItsResumeGetsAnError() throws Exception {
        HttpSession onA = sessionOnA();
        HttpSession onB = b.find(onA.id()).orElseThrow();
        CompletableFuture<Void> slow = new CompletableFuture<>();
        log.gate = slow;
        List<SseStream> cut = new ArrayList<>();
        for (int n = 1; n <= 17; n++) { // 17 calls whose clients went away: each copied, the copies held up
            SseStream stream = onA.openPostStream(IntNode.valueOf(n));
            stream.send(progress(1));
            Written gone = new Written();
            gone.failAfter = 0;
            assertEquals(SseStream.End.DISCONNECTED, serve(onA, stream, 0, gone));
            stream.send(response(n));
            stream.complete();
            cut.add(stream);
        }
        for (int n = 100; n < 100 + 17; n++) { // later calls: a drops the 17 older finished streams
            SseStream later = onA.openPostStream(IntNode.valueOf(n));
            later.send(response(n));
            later.complete();
        }
        SseStream last = cut.getLast();
        assertTrue(onA.streamOf(last.eventId(1)) == null, "a dropped them");

        Optional<HttpSession.Resumption> resumed = onB.resume(last.eventId(1));
        assertTrue(resumed.isPresent());
        Written onBsConnection = new Written();
        assertEquals(SseStream.End.DRAINED,
                serve(onB, resumed.get().stream(), resumed.get().after(), onBsConnection));
        assertError(onBsConnection.text(), 17, "(a) no longer holds");

        log.gate = null;
        slow.complete(null);
        for (SseStream waited : cut.subList(0, 16)) {
            String key = onA.id() + " " + waited.key();
            awaitTrue(() -> log.added(key).equals(List.of(1L, 2L)), "the 16 others are copied up to their response");
        }
    }

    /**
     * A's write of the call's last events to the log fails (Redis unreachable for a moment) after B was told the
     * stream is copied: no later event comes to try it again, so B asks again when nothing came for a while.
     */
    @Test
    void aFollowedStreamWhoseLastCopyFailedGetsItsResponseOnceItsNodeIsAskedAgain() throws Exception {
        HttpSession onA = sessionOnA();
        HttpSession onB = b.find(onA.id()).orElseThrow();
        SseStream stream = onA.openPostStream(IntNode.valueOf(7));
        stream.send(progress(1));
        stream.send(progress(2));
        Optional<HttpSession.Resumption> resumed = onB.resume(stream.eventId(1));
        assertTrue(resumed.isPresent());
        Written onBsConnection = new Written();
        CompletableFuture<SseStream.End> followed = CompletableFuture.supplyAsync(
                () -> serve(onB, resumed.get().stream(), resumed.get().after(), onBsConnection), Thread::startVirtualThread);
        awaitTrue(() -> onBsConnection.ids().size() == 1, "b wrote what a held: " + onBsConnection.ids());

        log.failures.set(1);
        stream.send(response(7));
        stream.complete();

        assertEquals(SseStream.End.DRAINED, followed.get(15, TimeUnit.SECONDS), "b's stream ends with the response");
        assertEquals(List.of(stream.eventId(2), stream.eventId(3)), onBsConnection.ids());
        assertTrue(onBsConnection.text().contains("\"id\":7,\"result\""), onBsConnection.text());
    }

    /**
     * The node running the call stops (or restarts with the same {@code cluster.node-id}) before the log holds the
     * response: it answers that it no longer has the stream. A resume elsewhere gets what the log holds, then an error
     * for the call, not an end without an answer.
     */
    @Test
    void aResumptionOfAStreamItsNodeLetGoBeforeItsResponseWasCopiedGetsWhatWasCopiedThenAnError() throws Exception {
        HttpSession onA = sessionOnA();
        HttpSession onB = b.find(onA.id()).orElseThrow();
        SseStream stream = copiedOnceItsClientLeftAfterTheFirstEvent(onA);
        a.close(); // a stops serving the session before the call answered: it answers "-" from now on

        long asked = System.nanoTime();
        Optional<HttpSession.Resumption> resumed = onB.resume(stream.eventId(1));
        assertTrue(resumed.isPresent());
        Written onBsConnection = new Written();
        assertEquals(SseStream.End.DRAINED,
                serve(onB, resumed.get().stream(), resumed.get().after(), onBsConnection));
        assertEquals(List.of(stream.eventId(2), stream.eventId(3), stream.eventId(4)), onBsConnection.ids(),
                "the two copied events, then the error in the next place");
        assertError(onBsConnection.text(), 7, "(a) no longer holds");
        assertTrue(System.nanoTime() - asked < TimeUnit.SECONDS.toNanos(2), "at once, not after a liveness check");
    }

    /**
     * A stops while its copy of a call that just finished is still on its way to Redis (the call ended during the
     * shutdown grace; its client reads it on B): the stop waits for the copy, so B's client gets the call's response
     * rather than an error. Before, the stop closed the copy at once.
     */
    @Test
    void aStoppingNodeWaitsForItsCopiesToReachTheLog() throws Exception {
        HttpSession onA = sessionOnA();
        SseStream stream = copiedOnceItsClientLeftAfterTheFirstEvent(onA);
        String key = onA.id() + " " + stream.key();
        CompletableFuture<Void> slow = new CompletableFuture<>();
        log.gate = slow; // Redis takes a moment for the last events
        stream.send(response(7));
        stream.complete();
        Thread.startVirtualThread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            log.gate = null;
            slow.complete(null);
        });
        long stopping = System.nanoTime();
        a.close();
        long ms = (System.nanoTime() - stopping) / 1_000_000;
        assertEquals(List.of(1L, 2L, 3L, 4L), log.added(key), "the response reached the log before a stopped");
        assertTrue(ms < HttpSessions.COPIES_ON_STOP.toMillis() + 1_000, "the stop waited " + ms + " ms");
    }

    /** With Redis unreachable, the stop waits for the copies no longer than {@link HttpSessions#COPIES_ON_STOP}. */
    @Test
    void aStoppingNodeWaitsForItsCopiesAtMostAMoment() throws Exception {
        HttpSession onA = sessionOnA();
        SseStream stream = copiedOnceItsClientLeftAfterTheFirstEvent(onA);
        CompletableFuture<Void> never = new CompletableFuture<>();
        log.gate = never;
        stream.send(response(7));
        stream.complete();
        long stopping = System.nanoTime();
        a.close();
        long ms = (System.nanoTime() - stopping) / 1_000_000;
        assertTrue(ms >= HttpSessions.COPIES_ON_STOP.toMillis() - 100 && ms < HttpSessions.COPIES_ON_STOP.toMillis() + 2_000,
                "the stop waited " + ms + " ms");
        log.gate = null;
        never.complete(null);
    }

    /** The stream ends with a JSON-RPC internal error for call {@code id}, naming what happened. */
    private static void assertError(String text, int id, String naming) {
        assertTrue(text.contains("\"id\":" + id + ",\"error\"") && text.contains("-32603") && text.contains(naming),
                text);
    }

    private HttpSession sessionOnA() {
        return a.open("http", Caller.builder("alice").build(), false, "127.0.0.1:1").orElseThrow();
    }

    /** Call 7 on a, whose client read its first event and went away: a copied its three events to the log. */
    private SseStream copiedOnceItsClientLeftAfterTheFirstEvent(HttpSession onA) throws Exception {
        SseStream stream = onA.openPostStream(IntNode.valueOf(7));
        Written gone = new Written();
        gone.failAfter = 1; // the client reads the first event, then goes away
        CompletableFuture<SseStream.End> onAsConnection = CompletableFuture.supplyAsync(
                () -> serve(onA, stream, 0, gone), Thread::startVirtualThread);
        stream.send(progress(1));
        awaitTrue(() -> gone.ids().size() == 1, "the client read the first event");
        stream.send(progress(2));
        stream.send(progress(3));
        assertEquals(SseStream.End.DISCONNECTED, onAsConnection.get(30, TimeUnit.SECONDS));
        String key = onA.id() + " " + stream.key();
        awaitTrue(() -> log.added(key).size() == 3, "copied once the client went away");
        return stream;
    }

    @Test
    void aResumptionAfterTheRunningNodeDiedGetsWhatWasCopiedThenAnError() throws Exception {
        HttpSession onA = sessionOnA();
        SseStream stream = copiedOnceItsClientLeftAfterTheFirstEvent(onA);
        log.dead.add("a"); // killed: it answers nothing and its heartbeat is gone

        HttpSession onB = b.find(onA.id()).orElseThrow();
        Optional<HttpSession.Resumption> resumed = onB.resume(stream.eventId(1));
        assertTrue(resumed.isPresent());
        Written onBsConnection = new Written();
        SseStream.End end = serve(onB, resumed.get().stream(), resumed.get().after(), onBsConnection);
        assertEquals(SseStream.End.DRAINED, end);
        assertEquals(List.of(stream.eventId(2), stream.eventId(3), stream.eventId(4)), onBsConnection.ids(),
                "the two copied events, then the error in the next place");
        assertError(onBsConnection.text(), 7, "(a) stopped before answering");
    }

    /** What {@link SseResponse#serve} does around the pump, without an HTTP response. */
    private static SseStream.End serve(HttpSession session, SseStream stream, long after, Written out) {
        session.connectionOpened();
        session.streaming(stream, after);
        SseStream.End end = SseStream.End.DISCONNECTED;
        try {
            end = stream.pump(out, after, NONE, NONE, RETRY);
            return end;
        } finally {
            session.streamed(stream, end);
            session.connectionClosed();
            session.releaseIfDrained(stream);
        }
    }

    private static ObjectNode progress(int n) {
        ObjectNode m = Json.object().put("jsonrpc", "2.0").put("method", "notifications/progress");
        m.putObject("params").put("progressToken", "t").put("progress", n);
        return m;
    }

    private static ObjectNode response(int id) {
        ObjectNode m = Json.object().put("jsonrpc", "2.0").put("id", id);
        m.putObject("result").putArray("content");
        return m;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A client's connection: what it read, and optionally a write after which it is gone. */
    private static final class Written implements SseStream.Connection {
        private final StringBuilder text = new StringBuilder();
        volatile int failAfter = -1;
        private int writes;

        @Override
        public synchronized void write(String s) throws IOException {
            if (failAfter >= 0 && writes >= failAfter) {
                throw new IOException("connection reset");
            }
            writes++;
            text.append(s);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            write(new String(bytes, offset, length, StandardCharsets.UTF_8));
        }

        synchronized String text() {
            return text.toString();
        }

        synchronized List<String> ids() {
            return text.toString().lines().filter(l -> l.startsWith("id: ")).map(l -> l.substring(4)).toList();
        }
    }

    /**
     * The cluster's log in memory, as Redis keeps it: a POST stream's events by number, a copy adding only those
     * above the last one kept; questions for a copy reach every node, whose answer comes back to the one asking.
     */
    static final class MemoryLog {
        final Map<String, TreeMap<Long, String>> streams = new ConcurrentHashMap<>();
        /** Every event number added to each stream, in the order added (a duplicate would show twice). */
        final Map<String, List<Long>> added = new ConcurrentHashMap<>();
        final Map<String, SessionState> states = new ConcurrentHashMap<>();
        final Set<String> dead = ConcurrentHashMap.newKeySet();
        final AtomicInteger copies = new AtomicInteger();
        final AtomicInteger forgets = new AtomicInteger();
        final List<Node> nodes = new CopyOnWriteArrayList<>();
        /** When set, a copy is stored only once it completes: a slow round trip to Redis. */
        volatile CompletableFuture<Void> gate;
        /** How many of the next copies fail (Redis unreachable for a moment). */
        final AtomicInteger failures = new AtomicInteger();

        SessionStore node(String id) {
            Node n = new Node(id);
            nodes.add(n);
            return n;
        }

        List<Long> added(String key) {
            return List.copyOf(added.getOrDefault(key, List.of()));
        }

        final class Node extends MemorySessionStates implements SessionStreams {
            final String id;
            final List<BiConsumer<String, String>> appendListeners = new CopyOnWriteArrayList<>();
            final List<BiFunction<String, String, CompletionStage<CopyAnswer>>> copyListeners =
                    new CopyOnWriteArrayList<>();

            Node(String id) {
                super(states);
                this.id = id;
            }

            @Override
            public SessionStreams streams() {
                return this;
            }

            @Override
            public long append(String sessionId, String data) {
                throw new UnsupportedOperationException("the session's own stream is not used here");
            }

            @Override
            public CompletionStage<Void> copy(String sessionId, String stream, List<Event> events) {
                if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    return CompletableFuture.failedFuture(SessionStore.unavailable()); // a Redis blip
                }
                CompletableFuture<Void> held = gate;
                if (held != null) {
                    return held.thenCompose(v -> copy(sessionId, stream, events)); // in flight until the gate opens
                }
                copies.incrementAndGet();
                String key = sessionId + " " + stream;
                TreeMap<Long, String> kept = streams.computeIfAbsent(key, k -> new TreeMap<>());
                synchronized (kept) {
                    for (Event e : events) {
                        if (kept.isEmpty() || e.seq() > kept.lastKey()) {
                            kept.put(e.seq(), e.data());
                            added.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(e.seq());
                        }
                    }
                }
                // announced to every node, on threads of their own (as Redis's pub/sub reaches them)
                for (Node n : nodes) {
                    n.appendListeners.forEach(l -> Thread.startVirtualThread(() -> l.accept(sessionId, stream)));
                }
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CopyAnswer askToCopy(String sessionId, String stream, Duration wait) {
                for (Node n : nodes) {
                    if (dead.contains(n.id)) {
                        continue;
                    }
                    for (var listener : n.copyListeners) {
                        CompletionStage<CopyAnswer> answer = listener.apply(sessionId, stream);
                        if (answer != null) {
                            try {
                                return answer.toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (Exception e) {
                                return CopyAnswer.NO_ANSWER;
                            }
                        }
                    }
                }
                try {
                    Thread.sleep(wait.toMillis()); // nobody answers
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CopyAnswer.NO_ANSWER;
            }

            @Override
            public void onCopyAsked(BiFunction<String, String, CompletionStage<CopyAnswer>> listener) {
                copyListeners.add(listener);
            }

            @Override
            public List<Event> after(String sessionId, String stream, long seq, int max) {
                TreeMap<Long, String> kept = streams.get(sessionId + " " + stream);
                List<Event> events = new ArrayList<>();
                if (kept != null) {
                    synchronized (kept) {
                        for (var e : kept.tailMap(seq, false).entrySet()) {
                            if (events.size() == max) {
                                break;
                            }
                            events.add(new Event(e.getKey(), e.getValue()));
                        }
                    }
                }
                return events;
            }

            @Override
            public void forget(String sessionId, String stream) {
                forgets.incrementAndGet();
                TreeMap<Long, String> kept = streams.get(sessionId + " " + stream);
                if (kept != null) {
                    synchronized (kept) {
                        if (!kept.isEmpty()) {
                            kept.headMap(kept.lastKey()).clear(); // the last event (the response) stays
                        }
                    }
                }
            }

            @Override
            public boolean nodeAlive(String nodeId) {
                return !dead.contains(nodeId);
            }

            @Override
            public String nodeId() {
                return id;
            }

            @Override
            public void read(String sessionId, long seq) {
            }

            @Override
            public long readMark(String sessionId) {
                return 0;
            }

            @Override
            public void onAppended(BiConsumer<String, String> listener) {
                appendListeners.add(listener);
            }

            @Override
            public boolean reachable() {
                return true;
            }

            @Override
            public void onReconnect(Runnable listener) {
            }
        }
    }
}
