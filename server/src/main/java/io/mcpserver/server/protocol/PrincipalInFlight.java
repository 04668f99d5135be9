package io.mcpserver.server.protocol;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many requests each principal has admitted and not yet finished, over all its sessions, once a transport asked
 * for it ({@link Dispatcher#countInFlightPerPrincipal}); a connection of a principal with {@code bound} or more waits
 * before it reads its next message ({@link #awaitBelow}). Why: virtual threads run first come, first served, so a
 * principal that keeps hundreds of requests queued puts every other principal's next request behind all of them
 * (the fairness benchmark's WebSocket flood: a calm client's request waited seconds behind 138 of the flooder's,
 * docs/benchmarks.md).
 */
final class PrincipalInFlight {

    /** One principal's count; removed from the map when it falls to zero. */
    private static final class Count {
        final ReentrantLock lock = new ReentrantLock();
        final Condition fewer = lock.newCondition();
        int running; // guarded by lock
    }

    private final Map<Object, Count> counts = new ConcurrentHashMap<>();

    void begin(Object principal) {
        counts.compute(principal, (key, count) -> {
            Count c = count == null ? new Count() : count;
            c.lock.lock();
            try {
                c.running++;
            } finally {
                c.lock.unlock();
            }
            return c;
        });
    }

    void end(Object principal) {
        counts.computeIfPresent(principal, (key, c) -> {
            c.lock.lock();
            try {
                c.running--;
                c.fewer.signalAll();
                return c.running <= 0 ? null : c;
            } finally {
                c.lock.unlock();
            }
        });
    }

    /**
     * Waits while the principal has {@code bound} or more requests running, at most {@code maxNanos}: true if it
     * waited at all.
     */
    boolean awaitBelow(Object principal, int bound, long maxNanos) {
        Count c = counts.get(principal);
        if (c == null) {
            return false;
        }
        c.lock.lock();
        try {
            long left = maxNanos;
            boolean waited = false;
            while (c.running >= bound && left > 0) {
                waited = true;
                left = c.fewer.awaitNanos(left);
            }
            return waited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the connection is closing
            return true;
        } finally {
            c.lock.unlock();
        }
    }

    /** How many the principal has running now (tests). */
    int running(Object principal) {
        Count c = counts.get(principal);
        if (c == null) {
            return 0;
        }
        c.lock.lock();
        try {
            return c.running;
        } finally {
            c.lock.unlock();
        }
    }

    static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
}
