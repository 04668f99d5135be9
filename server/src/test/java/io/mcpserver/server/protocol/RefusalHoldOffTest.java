package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who is held after a rate-limit refusal, and for how long: on a clock the test moves, the waits recorded not slept. */
class RefusalHoldOffTest {

    /** Starts after the session's creation: a new session has told its client to wait for nothing. */
    private final AtomicLong nanos = new AtomicLong(System.nanoTime() + 1_000_000_000L);
    private final List<Long> heldMs = new ArrayList<>();
    /** The principal is the subject, as with security on. */
    private final RefusalHoldOff holdOff = new RefusalHoldOff(nanos::get,
            n -> heldMs.add(TimeUnit.NANOSECONDS.toMillis(n)), s -> s.caller().subject());
    private final Session session = session("s-1", "alice");

    private static Session session(String id, String subject) {
        return new Session(id, "c-" + id, "tcp", new Caller(subject, Set.of(), Set.of(), "tcp", "c-" + id, Map.of()),
                LogLevel.INFO, null, false);
    }

    private static ObjectNode limited(long retryAfterMs) {
        ObjectNode data = Json.object();
        data.put("retryAfterMs", retryAfterMs);
        return JsonRpc.error(IntNode.valueOf(7), ErrorCodes.LIMIT_EXCEEDED, "Rate limit exceeded", data);
    }

    private void advanceMillis(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void aClientThatSendsAgainBeforeItsRetryTimeIsHeldForTheNextHintAtMostAHundredMs() {
        holdOff.refused(session, limited(40));
        assertEquals(List.of(), heldMs, "the first refusal is answered and the connection read on at once");
        advanceMillis(1);
        holdOff.refused(session, limited(39));
        assertEquals(List.of(39L), heldMs, "sent again 1 ms after being told to wait 40 ms");
        advanceMillis(38); // still 1 ms early
        holdOff.refused(session, limited(2_000));
        assertEquals(List.of(39L, 100L), heldMs, "a long hint holds the connection 100 ms at a time");
    }

    @Test
    void aClientThatWaitsAsToldIsNeverHeld() {
        holdOff.refused(session, limited(40));
        advanceMillis(40);
        holdOff.refused(session, limited(40));
        advanceMillis(41);
        holdOff.refused(session, limited(40));
        assertEquals(List.of(), heldMs);
    }

    @Test
    void refusalsWithoutARetryHintHoldNothing() {
        holdOff.refused(session, limited(40));
        advanceMillis(1);
        holdOff.refused(session, JsonRpc.error(IntNode.valueOf(8), ErrorCodes.LIMIT_EXCEEDED,
                "Too many requests in flight", null));
        assertEquals(List.of(), heldMs, "the in-flight limit gives no retry time: the reader goes on");
    }

    @Test
    void aHeldPrincipalIsHeldOnEveryConnectionAndNoOtherIs() {
        Session aliceAgain = session("s-2", "alice");
        Session bob = session("s-3", "bob");
        holdOff.refused(session, limited(40));
        advanceMillis(1);
        holdOff.refused(session, limited(39)); // ignored the hint: alice is held 39 ms
        assertEquals(List.of(39L), heldMs);
        advanceMillis(9);
        holdOff.turn(aliceAgain).close();
        assertEquals(List.of(39L, 30L), heldMs, "alice's other connection reads only once the hold is over");
        holdOff.turn(bob).close();
        assertEquals(List.of(39L, 30L), heldMs, "bob was never refused: read at once");
        assertEquals(30_000_000L, holdOff.toldToWaitNanos(aliceAgain), "what alice was told holds on her connections");
        assertEquals(0, holdOff.toldToWaitNanos(bob));
    }

    @Test
    void aPrincipalRefusedLatelyIsReadOneMessageAtATimeOverItsConnections() throws Exception {
        Session aliceAgain = session("s-2", "alice");
        holdOff.refused(session, limited(40));
        ReadTurn first = holdOff.turn(session);
        java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);
        Thread second = Thread.ofVirtual().start(() -> {
            holdOff.turn(aliceAgain).close(); // a turn is closed on the thread that took it
            read.countDown();
        });
        assertFalse(read.await(200, TimeUnit.MILLISECONDS),
                "alice's other connection waits while the first reads its message");
        holdOff.turn(session("s-3", "bob")).close(); // another principal is not in that queue
        first.close();
        assertTrue(read.await(5, TimeUnit.SECONDS));
        second.join();
        advanceMillis(TimeUnit.NANOSECONDS.toMillis(RefusalHoldOff.PACED_NANOS));
        ReadTurn later = holdOff.turn(session);
        ReadTurn laterToo = holdOff.turn(aliceAgain); // a second after the last refusal: no turns any more
        later.close();
        laterToo.close();
    }

    /**
     * WebSocket reads a frame before the listener sees it: after a message, a connection of a principal refused lately
     * waits for the principal's next read slot, one token interval apart over all its connections.
     */
    @Test
    void theConnectionsOfAPrincipalRefusedLatelyAreReadAtItsRate() {
        Session aliceAgain = session("s-2", "alice");
        Session bob = session("s-3", "bob");
        holdOff.paceReading(session, () -> 0, 10_000_000L);
        assertEquals(List.of(), heldMs, "never refused: read on at once");
        holdOff.refused(session, limited(4)); // the next token in 4 ms
        holdOff.paceReading(session, () -> 4_000_000L, 10_000_000L);
        holdOff.paceReading(aliceAgain, () -> 4_000_000L, 10_000_000L);
        holdOff.paceReading(session, () -> 4_000_000L, 10_000_000L);
        assertEquals(List.of(4L, 14L, 24L), heldMs, "the first read when the token is due, then one per 10 ms");
        holdOff.paceReading(bob, () -> 0, 10_000_000L);
        assertEquals(List.of(4L, 14L, 24L), heldMs, "bob was never refused: read at once");
        advanceMillis(100);
        holdOff.paceReading(aliceAgain, () -> 0, 10_000_000L);
        assertEquals(List.of(4L, 14L, 24L), heldMs, "slots past are not waited for: a token is there");
        advanceMillis(800);
        holdOff.paceReading(session, () -> 5_000_000L, 10_000_000L);
        assertEquals(List.of(4L, 14L, 24L, 5L), heldMs);
        advanceMillis(600); // 1.4 s after the refusal, 0.6 s after the last wait: still paced
        for (int i = 0; i < 150; i++) {
            holdOff.paceReading(session, () -> 0, 10_000_000L);
        }
        assertEquals(TimeUnit.NANOSECONDS.toMillis(RefusalHoldOff.MAX_PACE_NANOS), heldMs.getLast(),
                "a principal that kept its connections waiting stays paced; slots far ahead: at most this long");
        advanceMillis(TimeUnit.NANOSECONDS.toMillis(RefusalHoldOff.PACED_NANOS));
        int waits = heldMs.size();
        holdOff.paceReading(session, () -> 0, 10_000_000L);
        assertEquals(waits, heldMs.size(), "a second after the last refusal or wait: read at once");
    }

    /**
     * A 512 KiB message is one request and one token: paced by requests only, a principal's big messages get through
     * at its full rate. Its reading is paced by bytes too, over all its connections, and only once it was refused.
     */
    @Test
    void aPrincipalRefusedLatelyIsReadAtItsByteBudgetToo() {
        long kib512 = 512 * 1024;
        long mib = 1024 * 1024;
        Session aliceAgain = session("s-2", "alice");
        Session bob = session("s-3", "bob");
        holdOff.paceReading(session, () -> 0, 10_000_000L, kib512, mib);
        assertEquals(List.of(), heldMs, "never refused: big messages are read at once");
        holdOff.refused(session, limited(4));
        holdOff.paceReading(session, () -> 4_000_000L, 10_000_000L, kib512, mib);
        assertEquals(List.of(500L), heldMs, "512 KiB at 1 MiB/s: half a second, more than the 4 ms to the token");
        holdOff.paceReading(aliceAgain, () -> 0, 10_000_000L, kib512, mib);
        assertEquals(List.of(500L, 1_000L), heldMs, "the budget is the principal's, over all its connections");
        holdOff.paceReading(aliceAgain, () -> 0, 10_000_000L, 100, mib);
        assertEquals(1_000L, heldMs.getLast(), "a small message waits for the big ones' bytes to be paid off");
        for (int i = 0; i < 20; i++) {
            holdOff.paceReading(session, () -> 0, 10_000_000L, kib512, mib);
        }
        assertEquals(TimeUnit.NANOSECONDS.toMillis(RefusalHoldOff.MAX_BYTES_WAIT_NANOS), heldMs.getLast(),
                "at most this long per message, however far ahead the budget is used up");
        int waits = heldMs.size();
        holdOff.paceReading(bob, () -> 0, 10_000_000L, kib512, mib);
        assertEquals(waits, heldMs.size(), "bob was never refused: his big messages are read at once");
        advanceMillis(TimeUnit.NANOSECONDS.toMillis(RefusalHoldOff.MAX_BYTES_WAIT_NANOS + RefusalHoldOff.PACED_NANOS));
        holdOff.paceReading(session, () -> 0, 10_000_000L, kib512, mib);
        assertEquals(waits, heldMs.size(), "a second after the last refusal or wait, alice is read freely again");
    }

    @Test
    void pacesWhoseRefusalsArePastAreDropped() {
        for (int i = 0; i < 300; i++) {
            holdOff.refused(session("s-" + i, "p-" + i), limited(40));
        }
        advanceMillis(2_000);
        holdOff.refused(session("s-new", "newcomer"), limited(40));
        assertTrue(holdOff.paces() < 10, "paces kept: " + holdOff.paces());
    }
}
