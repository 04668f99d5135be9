package io.mcpserver.server.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code transports.http.websocket.*}: MCP over WebSocket on the HTTP listener, one JSON-RPC message per
 * text frame (or per fragmented text message), each connection its own session.
 *
 * @param paths          the upgrade paths; seed clients connect to {@code ws://host:port} (path {@code /})
 * @param maxMessageSize largest message, after reassembling fragments; more is closed with 1009
 * @param pingInterval   how often the server pings an open connection; zero: never
 * @param pongTimeout    a connection that sends nothing (not even a pong) this long after a ping is closed
 * @param maxConnections connections open at once; one more upgrade is answered 503
 * @param writeTimeout   a connection one of whose writes has not completed this long (a client that stopped reading)
 *                       is dropped; zero: never
 * @param maxInFlightPerPrincipal a connection whose principal has this many requests running (over all its
 *                       sessions) is not read from until one ends, at most a second at a time; zero: no bound
 */
public record WebSocketSettings(boolean enabled, List<String> paths, long maxMessageSize, Duration pingInterval,
                                Duration pongTimeout, int maxConnections, Duration writeTimeout,
                                int maxInFlightPerPrincipal) {

    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);

    public WebSocketSettings {
        paths = List.copyOf(paths);
    }

    public WebSocketSettings(boolean enabled, List<String> paths, long maxMessageSize, Duration pingInterval,
                             Duration pongTimeout) {
        this(enabled, paths, maxMessageSize, pingInterval, pongTimeout, DEFAULT_MAX_CONNECTIONS, DEFAULT_WRITE_TIMEOUT,
                0);
    }

    static WebSocketSettings read(ConfigReader r, long defaultMessageSize) {
        String prefix = "transports.http.websocket.";
        List<String> paths = r.strings(prefix + "paths");
        for (String path : paths) {
            if (!path.startsWith("/")) {
                r.problem(prefix + "paths", "every path must start with '/', was '" + path + "'");
            }
        }
        long size = r.size(prefix + "max-message-size", defaultMessageSize);
        if (size > Integer.MAX_VALUE - 8) {
            r.problem(prefix + "max-message-size", "must be below 2GiB, was " + size);
            size = defaultMessageSize;
        }
        Duration pongTimeout = r.duration(prefix + "pong-timeout");
        if (pongTimeout.isZero()) {
            r.problem(prefix + "pong-timeout", "must be greater than zero");
        }
        return new WebSocketSettings(
                r.bool(prefix + "enabled"),
                paths,
                size,
                r.duration(prefix + "ping-interval"),
                pongTimeout,
                r.integer(prefix + "max-connections"),
                r.duration(prefix + "write-timeout"),
                r.integer(prefix + "max-in-flight-per-principal"));
    }
}
