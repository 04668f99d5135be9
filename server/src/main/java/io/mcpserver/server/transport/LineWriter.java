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
            out.write(bytes);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            broken = true;
            LOG.log(System.Logger.Level.DEBUG, peer + ": write failed, dropping further output: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    public boolean isBroken() {
        return broken;
    }
}
