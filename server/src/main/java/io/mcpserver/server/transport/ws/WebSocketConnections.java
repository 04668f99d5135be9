package io.mcpserver.server.transport.ws;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSocket connections open on one HTTP listener: how many (for metrics), and a polite end for all of
 * them on shutdown, a close frame (1001 going away) each rather than a dropped socket.
 */
public final class WebSocketConnections {

    private final Set<WebSocketEndpoint> open = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger slots = new java.util.concurrent.atomic.AtomicInteger();

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
