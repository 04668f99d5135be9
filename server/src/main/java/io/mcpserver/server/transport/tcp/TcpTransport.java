package io.mcpserver.server.transport.tcp;

import io.mcpserver.server.config.TcpSettings;
import io.mcpserver.server.protocol.McpCore;
import io.mcpserver.server.transport.ServerTransport;
import io.mcpserver.spi.Caller;

/** Newline-delimited JSON-RPC over TCP, one virtual thread and one session per connection. */
public final class TcpTransport implements ServerTransport {

    private final McpCore core;
    private final TcpSettings settings;
    private final Caller caller;

    public TcpTransport(McpCore core, TcpSettings settings, Caller caller) {
        this.core = core;
        this.settings = settings;
        this.caller = caller;
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException("the TCP transport is being written; set transports.tcp.enabled: false");
    }

    @Override
    public String endpoint() {
        return "tcp=" + settings.host() + ":" + settings.port();
    }

    @Override
    public void close() {
    }
}
