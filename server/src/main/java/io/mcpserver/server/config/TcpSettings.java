package io.mcpserver.server.config;

/** {@code transports.tcp.*}: newline-delimited JSON-RPC over TCP. */
public record TcpSettings(boolean enabled, String host, int port, long maxMessageSize, int maxConnections) {

    static TcpSettings read(ConfigReader r, String defaultHost, long defaultMessageSize) {
        return new TcpSettings(
                r.bool("transports.tcp.enabled", true),
                r.string("transports.tcp.host", defaultHost),
                r.port("transports.tcp.port", 9000),
                r.size("transports.tcp.max-message-size", defaultMessageSize),
                r.integer("transports.tcp.max-connections", 1000, 1, 1_000_000));
    }
}
