package io.mcpserver.server.protocol;

/**
 * A connection's turn to read and hand on one message ({@link Dispatcher#turn}): a principal that ran into its rate
 * limit lately is read one message at a time over all its connections. Close it once the message was handed on.
 */
public interface ReadTurn extends AutoCloseable {

    /** Any time: a principal that was not refused lately. */
    ReadTurn ANY_TIME = () -> { };

    @Override
    void close();
}
