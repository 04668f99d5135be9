package io.mcpserver.server.transport.ws;

/**
 * The HTTP listener's DNS-rebinding rule, applied to WebSocket upgrades as to every HTTP request:
 * which {@code Origin} and {@code Host} headers may open a connection.
 */
@FunctionalInterface
public interface UpgradeCheck {

    /** Lets everything through: for tests and for listeners without a rule. */
    UpgradeCheck NONE = (origin, host) -> null;

    /**
     * @param origin the {@code Origin} header, null when absent (not a browser)
     * @param host   the {@code Host} header, null when absent
     * @return null to allow the upgrade, else why it is refused (sent with a 403)
     */
    String rejection(String origin, String host);
}
