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
 * @param authTimeout      with security on, how long a connection may take to send its authenticating first
 *                         message before it is closed: a silent socket must not hold a connection slot
 * @param writeTimeout     a connection one of whose writes has not completed this long (a client that stopped
 *                         reading) is dropped; zero never
 */
public record TcpSettings(boolean enabled, String host, int port, long maxMessageSize, int maxConnections,
                          Duration halfCloseTimeout, TlsSettings tls, Duration authTimeout, Duration writeTimeout) {

    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);

    public TcpSettings(boolean enabled, String host, int port, long maxMessageSize, int maxConnections,
                       Duration halfCloseTimeout, TlsSettings tls) {
        this(enabled, host, port, maxMessageSize, maxConnections, halfCloseTimeout, tls, DEFAULT_AUTH_TIMEOUT,
                DEFAULT_WRITE_TIMEOUT);
    }

    static TcpSettings read(ConfigReader r, String defaultHost, long defaultMessageSize, Path home) {
        Duration authTimeout = r.duration("transports.tcp.auth-timeout");
        if (authTimeout.isZero() || authTimeout.isNegative()) {
            r.problem("transports.tcp.auth-timeout", "must be greater than zero: a silent connection would hold its "
                    + "slot for ever");
        }
        return new TcpSettings(
                r.bool("transports.tcp.enabled"),
                r.string("transports.tcp.host", defaultHost),
                r.integer("transports.tcp.port"),
                r.size("transports.tcp.max-message-size", defaultMessageSize),
                r.integer("transports.tcp.max-connections"),
                r.duration("transports.tcp.half-close-timeout"),
                TlsSettings.read(r, "transports.tcp.tls", home),
                authTimeout,
                r.duration("transports.tcp.write-timeout"));
    }
}
