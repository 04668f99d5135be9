package io.mcpserver.server.transport.http;

import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.protocol.McpCore;
import io.mcpserver.server.transport.ServerTransport;
import io.mcpserver.spi.Caller;

/** The HTTP listener: Streamable HTTP, legacy HTTP+SSE and WebSocket on one Helidon WebServer. */
public final class HttpTransport implements ServerTransport {

    private final McpCore core;
    private final ServerConfig config;
    private final Caller caller;

    public HttpTransport(McpCore core, ServerConfig config, Caller caller) {
        this.core = core;
        this.config = config;
        this.caller = caller;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException("the HTTP transport is being written; set transports.http.enabled: false");
    }

    @Override
    public String endpoint() {
        return "http=" + config.http().host() + ":" + config.http().port();
    }

    @Override
    public void close() {
    }
}
