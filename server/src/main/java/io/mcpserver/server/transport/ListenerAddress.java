package io.mcpserver.server.transport;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The failure of a listener to bind, said in one line that names the address and the setting to change. The
 * server stops with exit 1 on it rather than run without that listener.
 */
public final class ListenerAddress {

    private ListenerAddress() {
    }

    /** A {@link BindException} naming {@code host:port}, what went wrong, and where the port is set. */
    public static BindException unavailable(String host, int port, String setting, String reason) {
        return new BindException("cannot listen on " + host + ":" + port + " (" + reason + "); free the port or set "
                + setting);
    }

    /**
     * Fails with {@link #unavailable} when {@code host:port} cannot be bound now. Helidon logs a bind failure as
     * a stack trace and starts without the listener, so the HTTP transport asks first (a port taken between this
     * check and Helidon's bind is still caught afterwards, only less politely).
     */
    public static void checkBindable(String host, int port, String setting) throws BindException {
        if (port == 0) {
            return; // any free port
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as the listener itself: a port in TIME_WAIT is usable
            probe.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw unavailable(host, port, setting, e.getMessage());
        } catch (IOException e) {
            // not a bind failure: the listener's own start reports it
        }
    }
}
