package io.mcpserver.server.fuzz;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.protocol.MessageSink;

import java.util.ArrayList;
import java.util.List;

/**
 * A client's end of a connection in a fuzz target: checks each message as it arrives (replies to requests come on
 * the request's own virtual thread) and hands the first violation to the fuzz target's thread.
 */
public final class Replies implements MessageSink {

    private final List<ObjectNode> received = new ArrayList<>();
    private AssertionError violation;

    @Override
    public synchronized void send(ObjectNode message) {
        received.add(message);
        try {
            FuzzCore.assertClear(message);
        } catch (AssertionError e) {
            if (violation == null) {
                violation = e;
            }
        }
    }

    public synchronized List<ObjectNode> received() {
        return List.copyOf(received);
    }

    public synchronized void rethrow() {
        if (violation != null) {
            throw violation;
        }
    }
}
