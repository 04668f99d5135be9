package io.mcpserver.server.transport.ws;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The WebSocket connections open on one HTTP listener: how many (for metrics), a watch on all of them, and a polite
 * end for all of them on shutdown, a close frame (1001 going away) each rather than a dropped socket.
 *
 * <p>The watch: Helidon tells a listener nothing when a client vanishes or sends a frame over the size limit (its
 * connection's thread just ends), so every {@link #SWEEP} the open connections whose thread has ended are ended here.
 * Their pings and pong deadlines run on the same {@link #TIMER}. This replaced a virtual thread per connection that
 * joined the connection's thread (about 2.3 KB of heap each: its stack, the thread and its timed park; bench's scale
 * step, docs/benchmarks.md): one timer thread for the process, and at most {@link #SWEEP} before a vanished client's
 * session ends.
 */
public final class WebSocketConnections {

    /** How often connections whose thread has ended are looked for. */
    static final Duration SWEEP = Duration.ofMillis(250);
    /** One thread for the process: sweeps, pings and pong deadlines (each action that writes runs on a thread of its own). */
    static final ScheduledExecutorService TIMER = timer();

    private final Set<WebSocketEndpoint> open = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger slots = new java.util.concurrent.atomic.AtomicInteger();
    private ScheduledFuture<?> sweep; // while connections are open; guarded by this

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mcp-websocket-watch");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // a connection's next ping is cancelled when it ends
        return timer;
    }

    /** Takes a slot for an upgrade about to be accepted; false when {@code max} are taken (open or opening). */
    boolean reserve(int max) {
        if (slots.incrementAndGet() > max) {
            slots.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a slot taken by {@link #reserve}. */
    void release() {
        slots.decrementAndGet();
    }

    void opened(WebSocketEndpoint endpoint) {
        open.add(endpoint);
        synchronized (this) {
            if (sweep == null) {
                sweep = TIMER.scheduleWithFixedDelay(this::sweep, SWEEP.toNanos(), SWEEP.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * Ends the connections whose thread has ended, and drops those with a write stuck past the write-timeout; stops
     * sweeping while none is open.
     */
    private void sweep() {
        long now = System.nanoTime();
        for (WebSocketEndpoint e : open) {
            e.endIfGone();
            e.checkWrite(now);
        }
        synchronized (this) {
            if (open.isEmpty() && sweep != null) {
                sweep.cancel(false);
                sweep = null;
            }
        }
    }

    void ended(WebSocketEndpoint endpoint) {
        open.remove(endpoint);
    }

    public int size() {
        return open.size();
    }

    /**
     * Sends every connection a close frame, then waits up to {@code timeout} for the clients to answer with
     * theirs; a connection still open after that is dropped by the listener's own stop.
     */
    public void closeAll(String reason, Duration timeout) {
        List<WebSocketEndpoint> all = List.copyOf(open);
        all.forEach(e -> e.goingAway(reason));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (WebSocketEndpoint e : all) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !e.awaitEnded(Duration.ofNanos(left))) {
                return;
            }
        }
    }
}
