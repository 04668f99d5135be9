package io.mcpserver.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.protocol.RequestHook;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The last minutes of traffic for the console: requests, errors and latency per second, and the most recent
 * errors. A fixed ring of one-second buckets of lock-free counters, so recording a request neither allocates nor
 * waits (only an error is kept as an object); {@code /metrics} stays the place for long-term series.
 */
public final class RecentActivity {

    /** Ten minutes of one-second buckets. */
    public static final int SECONDS = 600;
    /** Errors kept for the console. */
    public static final int ERRORS = 50;
    private static final int MAX_TEXT = 300;

    private final LongSupplier clockMillis;
    private final Bucket[] buckets = new Bucket[SECONDS];
    private final ArrayDeque<RecentError> errors = new ArrayDeque<>();
    private final ReentrantLock errorsLock = new ReentrantLock();

    public RecentActivity() {
        this(System::currentTimeMillis);
    }

    RecentActivity(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        for (int i = 0; i < SECONDS; i++) {
            buckets[i] = new Bucket();
        }
    }

    /**
     * One second of traffic.
     *
     * @param second        seconds since the epoch
     * @param requests      requests that ended in that second
     * @param errors        of those, how many were answered with a JSON-RPC error or an {@code isError} result
     * @param meanMillis    their mean duration; 0 without requests
     * @param maxMillis     the longest
     */
    public record Point(long second, long requests, long errors, double meanMillis, double maxMillis) {
    }

    /**
     * A request that failed.
     *
     * @param code the JSON-RPC error code; 0 for a tool's {@code isError} result
     */
    public record RecentError(long timeMillis, String transport, String clientId, String principal, String method,
                              String target, int code, String message) {
    }

    void record(RequestHook.Completion c) {
        boolean toolError = c.error() == null && c.result() != null && c.result().path("isError").asBoolean(false);
        boolean failed = c.error() != null || toolError;
        long now = clockMillis.getAsLong();
        long second = now / 1000;
        Bucket b = buckets[(int) (second % SECONDS)];
        long stamp = b.second.get();
        if (stamp < second && b.second.compareAndSet(stamp, second)) {
            // first request of a new second in this slot: it starts from zero (a request of the old second that
            // is counted at this very moment may land in the new one; the console can live with that)
            b.requests.reset();
            b.errors.reset();
            b.nanos.reset();
            b.maxNanos.set(0);
        }
        b.requests.increment();
        if (failed) {
            b.errors.increment();
        }
        b.nanos.add(c.durationNanos());
        b.maxNanos.accumulateAndGet(c.durationNanos(), Math::max);
        if (failed) {
            JsonNode params = c.params();
            String target = params == null ? null
                    : params.path("name").isTextual() ? params.get("name").asText()
                    : params.path("uri").isTextual() ? params.get("uri").asText() : null;
            String message = c.error() != null ? c.error().getMessage() : toolErrorText(c.result());
            error(new RecentError(now, c.session().transport(), c.session().clientId(),
                    c.session().caller().subject(), c.method(), capped(target), c.error() != null ? c.error().code() : 0,
                    capped(message)));
        }
    }

    private void error(RecentError e) {
        errorsLock.lock();
        try {
            if (errors.size() == ERRORS) {
                errors.removeFirst();
            }
            errors.addLast(e);
        } finally {
            errorsLock.unlock();
        }
    }

    /** The last {@code seconds} seconds (at most {@link #SECONDS}), oldest first, ending with the current one. */
    public List<Point> series(int seconds) {
        int n = Math.clamp(seconds, 1, SECONDS);
        long now = clockMillis.getAsLong() / 1000;
        List<Point> points = new ArrayList<>(n);
        for (long s = now - n + 1; s <= now; s++) {
            Bucket b = buckets[(int) (s % SECONDS)];
            long requests = b.requests.sum();
            if (b.second.get() != s || requests == 0) {
                points.add(new Point(s, 0, 0, 0, 0));
            } else {
                points.add(new Point(s, requests, b.errors.sum(), b.nanos.sum() / 1e6 / requests,
                        b.maxNanos.get() / 1e6));
            }
        }
        return points;
    }

    /** The most recent errors, newest first. */
    public List<RecentError> errors() {
        errorsLock.lock();
        try {
            List<RecentError> result = new ArrayList<>(errors);
            java.util.Collections.reverse(result);
            return result;
        } finally {
            errorsLock.unlock();
        }
    }

    private static String toolErrorText(JsonNode result) {
        for (JsonNode block : result.path("content")) {
            if (block.path("text").isTextual()) {
                return block.get("text").asText();
            }
        }
        return "the tool reported an error";
    }

    private static String capped(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
    }

    /** One second's counters; reset when a new second reuses the slot. Lock-free: every request passes here. */
    private static final class Bucket {
        private final AtomicLong second = new AtomicLong(-1);
        private final LongAdder requests = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final LongAdder nanos = new LongAdder();
        private final AtomicLong maxNanos = new AtomicLong();
    }
}
