package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One SSE stream without HTTP: numbering, replay after an event id, eviction, takeover, close, hold time. */
class SseStreamTest {

    private static final Duration NONE = Duration.ZERO;
    private static final Duration RETRY = Duration.ofMillis(500);
    /** Pumps block their thread: each gets its own (the common pool may have a single thread on 2 cores). */
    private static final java.util.concurrent.Executor VIRTUAL = command -> Thread.ofVirtual().start(command);
    private static final Pattern ID = Pattern.compile("^id: (\\S+)$", Pattern.MULTILINE);

    private static ObjectNode message(int n) {
        ObjectNode m = Json.object();
        m.put("n", n);
        return m;
    }

    /** Collects what a pump writes. */
    private static final class Recorder implements SseStream.Connection {
        final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void write(String t) {
            text.append(t);
        }

        synchronized List<String> ids() {
            List<String> ids = new ArrayList<>();
            Matcher m = ID.matcher(text);
            while (m.find()) {
                ids.add(m.group(1));
            }
            return ids;
        }
    }

    @Test
    void eventsAreNumberedAndACompletedStreamDrains() {
        SseStream s = new SseStream("post1", "test/c1", 100, true);
        s.send(message(1));
        s.send(message(2));
        s.complete();
        Recorder r = new Recorder();
        assertEquals(SseStream.End.DRAINED, s.pump(r, 0, NONE, NONE, RETRY));
        assertEquals(List.of("post1-1", "post1-2"), r.ids());
        assertTrue(r.text.toString().contains("event: message\ndata: {\"n\":1}\n\n"), r.text.toString());
        assertTrue(s.isDrained());
        assertEquals(2, s.deliveredSeq());
        s.send(message(3));
        assertEquals(2, s.deliveredSeq(), "nothing is queued once the stream is complete");
    }

    /** The replay buffer is made by the first event, whichever way it comes: queued here or numbered elsewhere. */
    @Test
    void anEventNumberedElsewhereIsKeptOnAFreshStream() {
        SseStream s = new SseStream("g", "test/c1", 100, true);
        s.deliver(7, "{\"n\":7}");
        s.deliver(7, "{\"n\":7}"); // a re-read: dropped
        s.complete();
        Recorder r = new Recorder();
        assertEquals(SseStream.End.DRAINED, s.pump(r, 0, NONE, NONE, RETRY));
        assertEquals(List.of("g-7"), r.ids());
    }

    @Test
    void aResumedConnectionGetsOnlyWhatCameAfterItsLastEventId() {
        SseStream s = new SseStream("get", "test/c1", 100, true);
        for (int i = 1; i <= 5; i++) {
            s.send(message(i));
        }
        s.complete();
        Recorder r = new Recorder();
        long after = s.seqOf("get-3");
        assertEquals(3, after);
        assertEquals(SseStream.End.DRAINED, s.pump(r, after, NONE, NONE, RETRY));
        assertEquals(List.of("get-4", "get-5"), r.ids());
    }

    @Test
    void eventsBeyondTheReplayCapacityAreEvictedOldestFirst() {
        SseStream s = new SseStream("get", "test/c1", 3, true);
        for (int i = 1; i <= 5; i++) {
            s.send(message(i));
        }
        s.complete();
        Recorder r = new Recorder();
        assertEquals(SseStream.End.DRAINED, s.pump(r, 0, NONE, NONE, RETRY));
        assertEquals(List.of("get-3", "get-4", "get-5"), r.ids(), "the two oldest fell out of the buffer");
        assertFalse(r.text.toString().contains("{\"n\":1}"));
    }

    @Test
    void anIdOfAnotherStreamOrAMalformedOneIsNotOurs() {
        SseStream s = new SseStream("post7", "test/c1", 10, true);
        assertEquals(-1, s.seqOf("post8-3"), "another stream's id");
        assertEquals(-1, s.seqOf("post7-x"));
        assertEquals(-1, s.seqOf("post7"));
        assertEquals(-1, s.seqOf(null));
        assertEquals(-1, s.seqOf("post70-1"), "a key that merely starts the same");
        assertEquals(12, s.seqOf("post7-12"));
        assertEquals("post7", SseStream.streamKeyOf("post7-12"));
        assertEquals(null, SseStream.streamKeyOf("nodash"));
        assertEquals(null, SseStream.streamKeyOf(null));
    }

    @Test
    void legacyStreamsCarryNoIds() {
        SseStream s = new SseStream("sse", "sse/c1", 10, false);
        s.send(message(1));
        s.complete();
        Recorder r = new Recorder();
        s.pump(r, 0, NONE, NONE, RETRY);
        assertEquals(List.of(), r.ids());
        assertEquals("event: message\ndata: {\"n\":1}\n\n", r.text.toString());
    }

    @Test
    void aNewPumpTakesTheStreamOverFromTheOldOne() throws Exception {
        SseStream s = new SseStream("get", "test/c1", 10, true);
        Recorder first = new Recorder();
        CompletableFuture<SseStream.End> old = CompletableFuture.supplyAsync(() -> s.pump(first, 0, NONE, NONE, RETRY), VIRTUAL);
        s.send(message(1));
        awaitIds(first, 1); // the first pump is running and has written
        Recorder second = new Recorder();
        CompletableFuture<SseStream.End> taker = CompletableFuture.supplyAsync(
                () -> s.pump(second, s.deliveredSeq(), NONE, NONE, RETRY), VIRTUAL);
        assertEquals(SseStream.End.REPLACED, old.get(10, TimeUnit.SECONDS));
        s.send(message(2));
        s.complete();
        assertEquals(SseStream.End.DRAINED, taker.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("get-2"), second.ids(), "the new connection resumes after what was delivered");
    }

    @Test
    void aConnectionThatClaimedTheStreamFirstNeverReplacesOneThatResumedAfterItsFirstEvent() throws Exception {
        // the POST's connection claims the stream, writes its priming event, and its pump starts late (a loaded
        // machine); the client read that event and already resumed on another connection
        SseStream s = new SseStream("post", "test/c1", 10, true);
        int post = s.claim();
        Recorder resumedOn = new Recorder();
        CompletableFuture<SseStream.End> resumed = CompletableFuture.supplyAsync(
                () -> s.pump(resumedOn, 0, NONE, NONE, RETRY), VIRTUAL);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!resumed.isDone() && s.claimsSoFar() < 2) { // the resumption has claimed it
            assertTrue(System.nanoTime() < deadline, "the resumed pump never started");
            Thread.sleep(5);
        }
        assertEquals(SseStream.End.REPLACED, s.pump(post, new Recorder(), 0, NONE, NONE, RETRY));
        s.send(message(1));
        s.complete();
        assertEquals(SseStream.End.DRAINED, resumed.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("post-1"), resumedOn.ids(), "the resumed connection got the call's answer");
    }

    @Test
    void closingEndsThePumpAndDropsWhatComesAfter() throws Exception {
        SseStream s = new SseStream("get", "test/c1", 10, true);
        Recorder r = new Recorder();
        CompletableFuture<SseStream.End> pump = CompletableFuture.supplyAsync(() -> s.pump(r, 0, NONE, NONE, RETRY), VIRTUAL);
        s.close();
        assertEquals(SseStream.End.CLOSED, pump.get(10, TimeUnit.SECONDS));
        s.send(message(1));
        assertTrue(s.isDrained());
        assertEquals(SseStream.End.CLOSED, s.pump(new Recorder(), 0, NONE, NONE, RETRY));
    }

    @Test
    void aHeldConnectionEndsWithARetryHintAndAFailedWriteIsADisconnect() {
        SseStream s = new SseStream("post", "test/c1", 10, true);
        Recorder r = new Recorder();
        assertEquals(SseStream.End.TIMED_OUT, s.pump(r, 0, Duration.ofMillis(50), NONE, RETRY));
        assertEquals("retry: 500\n\n", r.text.toString());

        s.send(message(1));
        SseStream.Connection broken = text -> {
            throw new IOException("client went away");
        };
        assertEquals(SseStream.End.DISCONNECTED, s.pump(broken, 0, NONE, NONE, RETRY));
        assertEquals(0, s.deliveredSeq(), "an event whose write failed is still there to resume");
    }

    private static void awaitIds(Recorder r, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.ids().size() < count) {
            assertTrue(System.nanoTime() < deadline, "written: " + r.text);
            Thread.sleep(5);
        }
    }
}
