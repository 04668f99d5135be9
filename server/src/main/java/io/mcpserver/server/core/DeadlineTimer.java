package io.mcpserver.server.core;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A one-thread timer for deadlines that nearly always end cancelled, one or more per request: a tool call's
 * timeout, an HTTP request's header deadline, a POST's silence before its answer becomes a stream.
 * <ul>
 * <li>A cancelled deadline leaves the queue at once (else each stayed queued until it would have fired: millions of
 *     dead tasks at 40k calls/s with a 5-minute tool timeout, and the timer thread busy sifting them).</li>
 * <li>A no-op tick every {@link #TICK_MILLIS} ms keeps the head of the queue early. A new deadline that became the
 *     head (always, at one request at a time: the previous one was cancelled and removed) woke the timer's thread
 *     to wait for it instead: a futex wake and a context switch per request and timer, three timers per POST of a
 *     client accepting both reply types (bench/: {@code DelayedWorkQueue.offer} signalling from
 *     {@code ReplyOrStream.run} and {@code HeaderDeadline.prologue} in profile-ours-http-sse). A deadline
 *     shorter than the tick (tests) still becomes the head and fires on time.</li>
 * </ul>
 */
public final class DeadlineTimer {

    static final long TICK_MILLIS = 1000;

    private DeadlineTimer() {
    }

    /** A started timer whose one daemon thread is named {@code threadName}; {@code shutdownNow} stops it. */
    public static ScheduledThreadPoolExecutor create(String threadName) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.scheduleAtFixedRate(() -> { }, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return timer;
    }
}
