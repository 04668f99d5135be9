package io.mcpserver.server.transport;

import java.util.Map;

/** A built-in or plugin transport as the server runs it. */
public interface ServerTransport extends AutoCloseable {

    String name();

    /**
     * Builds what does not need the plugins (the server calls it while they load, on another thread); nothing is
     * bound or accepted yet. Optional: {@link #start()} prepares what was not prepared.
     */
    default void prepare() throws Exception {
    }

    /** Binds and starts accepting; returns once ready. */
    void start() throws Exception;

    /** What the ready line shows, e.g. {@code tcp=127.0.0.1:9000}. */
    String endpoint();

    /**
     * The first step of a graceful shutdown: take no new clients, keep serving those connected (their running
     * requests may finish) until {@link #close()}.
     */
    default void stopAccepting() {
    }

    /**
     * Open connections by the transport label sessions carry ({@code tcp}; {@code http}, {@code sse},
     * {@code websocket} on the HTTP listener), for the {@code mcp_connections} gauge. Every label it can
     * report is present from the start, with 0.
     */
    default Map<String, Integer> connectionCounts() {
        return Map.of();
    }

    /** Stops accepting and closes every connection. */
    @Override
    void close();
}
