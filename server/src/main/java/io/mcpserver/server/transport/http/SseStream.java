package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.json.JsonBuffer;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.SessionStreams;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One logical SSE stream of a session: a POST's stream, the session's GET stream, or a legacy
 * {@code /sse} stream. Producers append messages (never blocking on the network); the HTTP handler
 * thread that holds the connection {@link #pump pumps} them out. The last {@code capacity} events are
 * kept, so a client that lost the connection can resume with {@code Last-Event-ID} on a new one.
 */
final class SseStream implements MessageSink {

    private static final System.Logger LOG = System.getLogger(SseStream.class.getName());

    /** Why a {@link #pump} returned. */
    enum End {
        /** The stream is complete and everything was written: the HTTP response can end. */
        DRAINED,
        /** Another connection took the stream over. */
        REPLACED,
        /** The stream was closed (its session ended). */
        CLOSED,
        /** Writing failed: the client went away. */
        DISCONNECTED,
        /** The connection was held for the configured time without the stream completing. */
        TIMED_OUT
    }

    /** Where a pump writes: one HTTP response's body. */
    interface Connection {
        void write(String text) throws IOException;

        /** Writes UTF-8 bytes: events leave as the bytes they were serialized to. */
        default void write(byte[] bytes, int offset, int length) throws IOException {
            write(new String(bytes, offset, length, StandardCharsets.UTF_8));
        }

        /** Writes the last bytes of a stream that is complete: nothing is written after them. */
        default void writeLast(byte[] bytes, int offset, int length) throws IOException {
            write(bytes, offset, length);
        }
    }

    /**
     * One queued message: its number and its UTF-8 JSON bytes; {@code oneLine} when the server wrote them (no line
     * feed in them, see {@link SseWriter#appendEvent}).
     */
    private record Event(long seq, byte[] data, boolean oneLine) {
    }

    /** Told after each event is queued (a cluster copies a POST's events to Redis once another node may need them). */
    interface Mirror {
        void queued();
    }

    private final String key;
    private final String owner;
    private final int capacity;
    private final boolean numbered;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private ArrayDeque<Event> events; // the replay buffer, made by the first event: most GET streams stay empty
    private long lastSeq;
    private long delivered;
    private boolean completed;
    private boolean closed;
    private int generation;
    /** Pumps writing the stream to a connection now (a slow client's may take long over its last events). */
    private final AtomicInteger pumping = new AtomicInteger();
    private boolean gapLogged;
    private Mirror mirror;

    /**
     * @param key      the stream's name within its session; event ids are {@code key-seq}
     * @param owner    the session, for logs ({@code transport/clientId})
     * @param capacity events kept for replay
     * @param numbered whether events carry ids (legacy streams have none: they cannot be resumed)
     */
    SseStream(String key, String owner, int capacity, boolean numbered) {
        this.key = key;
        this.owner = owner;
        this.capacity = capacity;
        this.numbered = numbered;
    }

    String key() {
        return key;
    }

    /** Queues one message; dropped once the stream is complete or closed. */
    @Override
    public void send(ObjectNode message) {
        byte[] data = Json.writeBytes(message);
        Mirror told;
        lock.lock();
        try {
            if (completed || closed) {
                return;
            }
            keep(new Event(++lastSeq, data, true));
            told = mirror;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (told != null) {
            told.queued(); // outside the lock: the mirror reads the stream back (keptAfter)
        }
    }

    /** Tells {@code mirror} whenever an event was queued from now on. */
    void mirror(Mirror mirror) {
        lock.lock();
        try {
            this.mirror = mirror;
        } finally {
            lock.unlock();
        }
    }

    /** The kept events numbered above {@code seq}, oldest first, as JSON text (what a cluster copies to Redis). */
    List<SessionStreams.Event> keptAfter(long seq) {
        lock.lock();
        try {
            List<SessionStreams.Event> kept = new ArrayList<>();
            for (Event e : keptAfterLocked(seq)) {
                kept.add(new SessionStreams.Event(e.seq(), new String(e.data(), StandardCharsets.UTF_8)));
            }
            return kept;
        } finally {
            lock.unlock();
        }
    }

    /** The number of the last event queued (0: none yet). */
    long lastSeq() {
        lock.lock();
        try {
            return lastSeq;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues an event numbered elsewhere (a shared session's stream, read from the cluster's log): kept only when
     * numbered above every event queued so far, so a re-read is harmless.
     */
    void deliver(long seq, String data) {
        lock.lock();
        try {
            if (completed || closed || seq <= lastSeq) {
                return;
            }
            lastSeq = seq;
            keep(new Event(seq, data.getBytes(StandardCharsets.UTF_8), data.indexOf('\n') < 0));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Adds an event to the replay buffer, dropping the oldest beyond {@code capacity}; the lock is held. */
    private void keep(Event event) {
        if (events == null) {
            events = new ArrayDeque<>();
        }
        events.addLast(event);
        if (events.size() > capacity) {
            events.removeFirst();
        }
    }

    /** No more messages will come (the request's response was queued): pumps end once they wrote everything. */
    void complete() {
        lock.lock();
        try {
            completed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream at once: pumps return, further messages are dropped. */
    void close() {
        lock.lock();
        try {
            closed = true;
            events = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isCompleted() {
        lock.lock();
        try {
            return completed;
        } finally {
            lock.unlock();
        }
    }

    /** Complete and every event written to some connection (or closed): nothing left to resume. */
    boolean isDrained() {
        lock.lock();
        try {
            return closed || (completed && delivered >= lastSeq);
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when a reader that has seen every event up to {@code seq} will get nothing more: the stream is closed,
     * or complete with no event after {@code seq}. Marks those events delivered.
     */
    boolean hasNothingAfter(long seq) {
        lock.lock();
        try {
            boolean finished = closed || (completed && lastSeq <= seq);
            if (finished) {
                delivered = Math.max(delivered, Math.min(seq, lastSeq));
            }
            return finished;
        } finally {
            lock.unlock();
        }
    }

    /** The sequence number a fresh connection starts after: everything before it was written already. */
    long deliveredSeq() {
        lock.lock();
        try {
            return delivered;
        } finally {
            lock.unlock();
        }
    }

    String eventId(long seq) {
        return key + "-" + seq;
    }

    /** The sequence number in an event id of this stream, or -1 if the id is not one of ours. */
    long seqOf(String eventId) {
        if (eventId == null || !eventId.startsWith(key + "-")) {
            return -1;
        }
        try {
            return Long.parseLong(eventId.substring(key.length() + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The stream key in an event id ({@code key-seq}), or null. */
    static String streamKeyOf(String eventId) {
        int dash = eventId == null ? -1 : eventId.lastIndexOf('-');
        return dash <= 0 ? null : eventId.substring(0, dash);
    }

    /** The first event of a numbered stream: an id to resume from, the retry delay, and no data. */
    String primingEvent(long after, Duration retry) {
        return "id: " + eventId(after) + "\nretry: " + retry.toMillis() + "\ndata: \n\n";
    }

    /**
     * Writes this stream's events after {@code after} to {@code connection} as they come, on the calling
     * thread, until the stream is drained or closed, another connection takes over, a write fails, or
     * {@code holdFor} passes (zero: no limit). Idle connections get a comment every {@code keepAlive}.
     */
    End pump(Connection connection, long after, Duration holdFor, Duration keepAlive, Duration retry) {
        return pump(claim(), connection, after, holdFor, keepAlive, retry);
    }

    /**
     * Makes the caller's connection the stream's from now on (a pump holding an older one ends, replaced), before
     * the caller writes anything to it: a client that read this connection's first event and resumed on another
     * connection at once must not be replaced by this one claiming the stream after it (a resumed stream ended
     * with nothing, seen under load: StreamableHttpTest#aCallSilentForLongerThanTheKeepAliveIsStreamedAndResumable).
     */
    int claim() {
        lock.lock();
        try {
            changed.signalAll(); // a pump still holding an older connection sees it was replaced
            return ++generation;
        } finally {
            lock.unlock();
        }
    }

    /** How many connections have claimed this stream (tests wait on it). */
    int claimsSoFar() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #pump(Connection, long, Duration, Duration, Duration)} for a connection that {@link #claim claimed} it. */
    End pump(int mine, Connection connection, long after, Duration holdFor, Duration keepAlive, Duration retry) {
        pumping.incrementAndGet();
        try {
            return pumpEvents(mine, connection, after, holdFor, keepAlive, retry);
        } finally {
            pumping.decrementAndGet();
        }
    }

    /** Whether a connection is writing the stream now: a session that keeps too many finished ones leaves it be. */
    boolean isBeingWritten() {
        return pumping.get() > 0;
    }

    private End pumpEvents(int mine, Connection connection, long after, Duration holdFor, Duration keepAlive,
                           Duration retry) {
        long deadline = holdFor.isZero() ? Long.MAX_VALUE : System.nanoTime() + holdFor.toNanos();
        long cursor = after;
        while (true) {
            List<Event> batch = List.of();
            boolean last = false;
            boolean timedOut = false;
            lock.lock();
            try {
                long now = System.nanoTime();
                long wakeAt = keepAlive.isZero() ? deadline : Math.min(deadline, now + keepAlive.toNanos());
                while (mine == generation && !closed && lastSeq <= cursor && !completed) {
                    long left = wakeAt - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(60)));
                }
                if (mine != generation) {
                    return End.REPLACED;
                }
                if (closed) {
                    return End.CLOSED;
                }
                if (lastSeq > cursor) {
                    batch = eventsAfter(cursor);
                    last = completed && !batch.isEmpty() && batch.getLast().seq() == lastSeq;
                } else if (completed) {
                    return End.DRAINED;
                } else if (System.nanoTime() >= deadline) {
                    timedOut = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return End.CLOSED;
            } finally {
                lock.unlock();
            }
            try {
                if (!batch.isEmpty()) {
                    // one buffer for the batch, sized for it, written at once: one chunk and one flush
                    int size = 0;
                    for (Event e : batch) {
                        size += e.data().length + 64;
                    }
                    JsonBuffer text = new JsonBuffer(size);
                    for (Event e : batch) {
                        SseWriter.appendEvent(text, numbered ? eventId(e.seq()) : null, e.data(), e.oneLine());
                    }
                    if (last) {
                        connection.writeLast(text.array(), 0, text.length());
                    } else {
                        connection.write(text.array(), 0, text.length());
                    }
                    cursor = batch.getLast().seq();
                    markDelivered(cursor);
                } else if (timedOut) {
                    connection.write("retry: " + retry.toMillis() + "\n\n");
                    return End.TIMED_OUT;
                } else {
                    connection.write(SseWriter.KEEP_ALIVE);
                }
            } catch (IOException e) {
                return End.DISCONNECTED;
            }
        }
    }

    /** What a pump writes next: the kept events after {@code cursor}; says once when some fell out first. */
    private List<Event> eventsAfter(long cursor) {
        Event first = events == null ? null : events.peekFirst();
        if (first != null && first.seq() > cursor + 1 && !gapLogged) {
            gapLogged = true;
            LOG.log(System.Logger.Level.WARNING, owner + ": SSE stream " + key + ": " + (first.seq() - cursor - 1)
                    + " event(s) fell out of the replay buffer before the client read them");
        }
        return keptAfterLocked(cursor);
    }

    /** The kept events numbered above {@code seq}, oldest first; the lock is held. */
    private List<Event> keptAfterLocked(long seq) {
        List<Event> kept = new ArrayList<>();
        if (events != null) {
            for (Event e : events) {
                if (e.seq() > seq) {
                    kept.add(e);
                }
            }
        }
        return kept;
    }

    private void markDelivered(long seq) {
        lock.lock();
        try {
            delivered = Math.max(delivered, seq);
        } finally {
            lock.unlock();
        }
    }
}
