package io.mcpserver.spi.transport;

/**
 * Contributes a transport: a way for clients to reach the server over some medium. The server calls
 * {@link #create} at startup when the transport is enabled in its config section
 * ({@code transports.<name>}), then {@link Transport#start()}.
 */
public interface TransportFactory {

    /** Transport name, also its config section under {@code transports.} and the caller's transport. */
    String name();

    Transport create(TransportContext context) throws Exception;
}
