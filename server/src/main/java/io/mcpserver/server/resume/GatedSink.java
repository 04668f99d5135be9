package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.protocol.MessageSink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection's writer that holds messages back until {@link #open()}: a session attaches to its new connection
 * while {@code initialize} runs, but the client must read the initialize result before the replay.
 */
final class GatedSink implements MessageSink {

    private final MessageSink writer;
    private final ReentrantLock lock = new ReentrantLock();
    private List<ObjectNode> held = new ArrayList<>();

    GatedSink(MessageSink writer) {
        this.writer = writer;
    }

    @Override
    public void send(ObjectNode message) {
        lock.lock();
        try {
            if (held != null) {
                held.add(message);
                return;
            }
            writer.send(message);
        } finally {
            lock.unlock();
        }
    }

    /** Writes what was held, in order, then lets every message through. */
    void open() {
        lock.lock();
        try {
            if (held == null) {
                return;
            }
            held.forEach(writer::send);
            held = null;
        } finally {
            lock.unlock();
        }
    }
}
