package io.mcpserver.server.transport;

/** A built-in or plugin transport as the server runs it. */
public interface ServerTransport extends AutoCloseable {

    String name();

    /** Binds and starts accepting; returns once ready. */
    void start() throws Exception;

    /** What the ready line shows, e.g. {@code tcp=127.0.0.1:9000}. */
    String endpoint();

    /** Stops accepting and closes every connection. */
    @Override
    void close();
}
