package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where the server writes messages for a client: a connection's writer, or one HTTP response stream.
 * Implementations serialize concurrent calls. Sending on a closed sink is silently dropped.
 */
@FunctionalInterface
public interface MessageSink {

    void send(ObjectNode message);

    /** A sink that drops everything: used where no channel back to the client exists. */
    MessageSink DISCARD = message -> { };
}
