package io.mcpserver.server.config;

/** {@code transports.http.*}: the HTTP listener (Streamable HTTP, legacy SSE, WebSocket). */
public record HttpSettings(boolean enabled, String host, int port, String path, long maxMessageSize) {

    static HttpSettings read(ConfigReader r, String defaultHost, long defaultMessageSize) {
        String path = r.string("transports.http.path", "/mcp");
        if (!path.startsWith("/")) {
            r.problem("transports.http.path", "must start with '/', was '" + path + "'");
        }
        return new HttpSettings(
                r.bool("transports.http.enabled", true),
                r.string("transports.http.host", defaultHost),
                r.port("transports.http.port", 9001),
                path,
                r.size("transports.http.max-message-size", defaultMessageSize));
    }
}
