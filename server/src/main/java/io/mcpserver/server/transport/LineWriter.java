package io.mcpserver.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.MessageSink;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;

/** Writes one JSON message per line; serializes writers (a lock, not synchronized, so virtual threads don't pin). */
public final class LineWriter implements MessageSink {

    private static final System.Logger LOG = System.getLogger(LineWriter.class.getName());

    private final OutputStream out;
    private final String peer;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean broken;
    /** When the write in progress began (never 0), or 0 while none is: what a write-timeout watches. */
    private volatile long writingSince;

    public LineWriter(OutputStream out, String peer) {
        this.out = out;
        this.peer = peer;
    }

    @Override
    public void send(ObjectNode message) {
        if (broken) {
            return;
        }
        byte[] bytes = Json.writeBytes(message);
        lock.lock();
        try {
            writingSince = System.nanoTime() | 1;
            out.write(bytes);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            broken = true;
            LOG.log(System.Logger.Level.DEBUG, peer + ": write failed, dropping further output: " + e.getMessage());
        } finally {
            writingSince = 0;
            lock.unlock();
        }
    }

    /**
     * How long the write in progress has been blocked at {@code now} ({@link System#nanoTime}), 0 while none is: a
     * write blocks when the client stopped reading and the socket buffers are full.
     */
    public long blockedNanos(long now) {
        long since = writingSince;
        return since == 0 ? 0 : Math.max(0, now - since);
    }

    /** Whether a write is in progress (for a client that stopped reading: blocked on its full socket buffers). */
    public boolean isWriting() {
        return writingSince != 0;
    }

    public boolean isBroken() {
        return broken;
    }
}
