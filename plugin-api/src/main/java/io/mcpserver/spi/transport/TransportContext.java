package io.mcpserver.spi.transport;

import io.mcpserver.spi.PluginConfig;

import java.util.function.Consumer;

/**
 * What a plugin transport gets from the server: its config section and a way to open connections.
 * Messages cross as JSON text, one JSON-RPC message each.
 */
public interface TransportContext {

    PluginConfig config();

    System.Logger logger();

    /**
     * Opens a connection to the protocol core. Everything the server sends on it is passed to
     * {@code outbound}, one message at a time (calls are serialized).
     *
     * @param remote a description of the peer for logs, e.g. an address
     */
    Connection open(String remote, Consumer<String> outbound);

    /** One client's connection: feed it what the client sends; close it when the client goes. */
    interface Connection extends AutoCloseable {

        /** The server-assigned client id (unique across transports). */
        String clientId();

        /** Hands one message from the client to the server. Returns at once; work runs elsewhere. */
        void receive(String message);

        /** Ends the connection: in-flight requests are cancelled, its session is released. */
        @Override
        void close();
    }
}
