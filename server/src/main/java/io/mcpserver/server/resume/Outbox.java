package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.protocol.MessageSink;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The channel from a resumable session to its client, whichever connection that is now. Every message is numbered
 * ({@link ResumeMeta#SEQ}), kept in the session's {@link ReplayBuffer} until the client acknowledges it (or newer
 * ones push it out), and written to the connection attached now, if any. While no connection is attached (the
 * client dropped and has not resumed yet) messages are only kept. Numbering, keeping and writing happen under one
 * lock, so the numbers are the order on the wire and a replay never interleaves with a live message.
 */
public final class Outbox implements MessageSink {

    /** What a resume found in the buffer. */
    public record Replay(long from, int replayed, long lost, long lostFrom, long lostTo) {
    }

    private final ReplayBuffer buffer;
    private final ReentrantLock lock = new ReentrantLock();
    private MessageSink writer;
    private Object owner;
    private Runnable closer;
    private long lastSeq;
    private long written;
    private long acked;
    private boolean closed;

    Outbox(ReplayBuffer buffer) {
        this.buffer = buffer;
    }

    @Override
    public void send(ObjectNode message) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long seq = ++lastSeq;
            ObjectNode numbered = ResumeMeta.numbered(message, seq);
            buffer.append(seq, numbered);
            if (writer != null) {
                writer.send(numbered);
                written = seq;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes {@code writer} the connection: first writes what was kept after {@code from} (the last number the
     * client saw), in order, then every new message. Returns the closer of the connection that had the session
     * until now (a takeover: the client noticed the drop before the server did), or null.
     *
     * @param owner  the connection, so that only the connection attached now can detach it
     * @param closer ends that connection, when a later connection takes the session over
     */
    Replay attach(MessageSink writer, Object owner, Runnable closer, long from) {
        Runnable previous;
        Replay replay;
        lock.lock();
        try {
            previous = this.closer;
            long start = Math.max(0, Math.min(from, lastSeq));
            List<ReplayBuffer.Entry> kept = buffer.after(start);
            long firstKept = kept.isEmpty() ? lastSeq + 1 : kept.getFirst().seq();
            long lost = firstKept - (start + 1); // numbers after `from` that fell out of the buffer
            for (ReplayBuffer.Entry e : kept) {
                writer.send(e.message());
            }
            this.writer = writer;
            this.owner = owner;
            this.closer = closer;
            this.written = lastSeq;
            replay = new Replay(start, kept.size(), lost, lost > 0 ? start + 1 : 0, lost > 0 ? firstKept - 1 : 0);
        } finally {
            lock.unlock();
        }
        if (previous != null) {
            previous.run(); // outside the lock: the old connection's close may take its own write lock
        }
        return replay;
    }

    /** The connection {@code owner} ended: messages are kept, not written, until a connection attaches. */
    boolean detach(Object owner) {
        lock.lock();
        try {
            if (this.owner != owner) {
                return false;
            }
            this.writer = null;
            this.owner = null;
            this.closer = null;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code owner} is the connection attached now. */
    boolean attachedTo(Object owner) {
        lock.lock();
        try {
            return this.owner == owner;
        } finally {
            lock.unlock();
        }
    }

    /** Applies the acknowledgement a client message carries ({@link ResumeMeta#ACK}), if any. */
    public void acknowledged(com.fasterxml.jackson.databind.JsonNode message) {
        long seq = ResumeMeta.acknowledged(message);
        if (seq >= 0) {
            acknowledge(seq);
        }
    }

    /** The client has every message up to {@code seq}: they need not be kept (reliable delivery). */
    public void acknowledge(long seq) {
        lock.lock();
        try {
            long upTo = Math.min(seq, lastSeq);
            if (upTo > acked) {
                acked = upTo;
                buffer.trimThrough(upTo);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where a resume starts when the client names no last number: after its last acknowledgement if it ever sent
     * one (everything unacknowledged is sent again), else after the last message written to the old connection.
     */
    long defaultResumePoint() {
        lock.lock();
        try {
            return acked > 0 ? acked : written;
        } finally {
            lock.unlock();
        }
    }

    long lastSeq() {
        lock.lock();
        try {
            return lastSeq;
        } finally {
            lock.unlock();
        }
    }

    int kept() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    /** The session ended: nothing more is kept or written. */
    void close() {
        lock.lock();
        try {
            closed = true;
            writer = null;
            owner = null;
            closer = null;
            buffer.clear();
        } finally {
            lock.unlock();
        }
    }
}
