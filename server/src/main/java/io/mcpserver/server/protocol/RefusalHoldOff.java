package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A connection transport (TCP, WebSocket, stdio, a plugin's) reads its client's messages on one thread, and answers
 * a rate-limited request with -32000 and a retry hint ({@code data.retryAfterMs}). A client that sends again before
 * the time it was told is ignoring the hint: its connection's reader then waits that long (at most
 * {@link #MAX_HOLD_MS}) before it reads on, so such a client is slowed by its own connection (TCP flow control)
 * instead of having the server parse and refuse its messages as fast as it can write them. A client that honours
 * the hint is never held. Why: the fairness benchmark (docs/benchmarks.md) measured one pipelining TCP client at
 * about 20,000 refusals a second, which multiplied the other clients' p99 latency tens of times.
 */
final class RefusalHoldOff {

    /** The longest a connection is held after one refusal: its cancellations and answers still get through soon. */
    static final long MAX_HOLD_MS = 100;

    /** How the reader thread waits (tests replace it). */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;

    RefusalHoldOff(LongSupplier nanoClock, Sleeper sleeper) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    static RefusalHoldOff system() {
        return new RefusalHoldOff(System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    /**
     * Called on the connection's reader thread after {@code error} was sent to the client of {@code session}:
     * returns at once unless the error carries a retry hint and the client was already told to wait past now.
     */
    void refused(Session session, ObjectNode error) {
        long retryAfterMs = error.path("error").path("data").path("retryAfterMs").asLong(0);
        if (retryAfterMs <= 0) {
            return; // not a rate limit (in-flight limit, unknown method…): nothing to wait for
        }
        long now = nanoClock.getAsLong();
        long toldToWaitUntil = session.retryNotBeforeNanos;
        session.retryNotBeforeNanos = now + TimeUnit.MILLISECONDS.toNanos(retryAfterMs);
        if (now - toldToWaitUntil >= 0) {
            return; // the first refusal, or the client waited as it was told
        }
        try {
            sleeper.sleep(TimeUnit.MILLISECONDS.toNanos(Math.min(retryAfterMs, MAX_HOLD_MS)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the connection is closing
        }
    }
}
