package io.mcpserver.server.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code transports.tcp.*}: newline-delimited JSON-RPC over TCP.
 *
 * @param maxConnections   connections open at once; one more is told so in a JSON-RPC error line and closed
 * @param halfCloseTimeout after a client shuts down its sending side, how long its running requests may still
 *                         take to be answered before they are cancelled and the connection is closed
 * @param tls              optional TLS on the listener
 */
public record TcpSettings(boolean enabled, String host, int port, long maxMessageSize, int maxConnections,
                          Duration halfCloseTimeout, TlsSettings tls) {

    static TcpSettings read(ConfigReader r, String defaultHost, long defaultMessageSize, Path home) {
        return new TcpSettings(
                r.bool("transports.tcp.enabled", true),
                r.string("transports.tcp.host", defaultHost),
                r.port("transports.tcp.port", 9000),
                r.size("transports.tcp.max-message-size", defaultMessageSize),
                r.integer("transports.tcp.max-connections", 10_000, 1, 1_000_000),
                r.duration("transports.tcp.half-close-timeout", Duration.ofSeconds(60)),
                TlsSettings.read(r, "transports.tcp.tls", home));
    }
}
