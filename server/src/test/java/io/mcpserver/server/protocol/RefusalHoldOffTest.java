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

/** Who is held after a rate-limit refusal, and for how long: on a clock the test moves, the waits recorded not slept. */
class RefusalHoldOffTest {

    /** Starts after the session's creation: a new session has told its client to wait for nothing. */
    private final AtomicLong nanos = new AtomicLong(System.nanoTime() + 1_000_000_000L);
    private final List<Long> heldMs = new ArrayList<>();
    private final RefusalHoldOff holdOff = new RefusalHoldOff(nanos::get, n -> heldMs.add(TimeUnit.NANOSECONDS.toMillis(n)));
    private final Session session = new Session("s-1", "c1", "tcp",
            new Caller("alice", Set.of(), Set.of(), "tcp", "c1", Map.of()), LogLevel.INFO, null, false);

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
}
