package io.mcpserver.spi.transport;

/** A running transport. {@link #start()} binds and returns; {@link #close()} stops accepting and closes connections. */
public interface Transport extends AutoCloseable {

    void start() throws Exception;

    @Override
    void close();
}
