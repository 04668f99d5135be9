package io.mcpserver.server.transport.stdio;

import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.server.transport.LineReader;
import io.mcpserver.server.transport.LineWriter;
import io.mcpserver.server.transport.ServerTransport;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Newline-delimited JSON-RPC on this process's stdin/stdout. The peer is the local process that
 * started us, so it is trusted with the configured local identity. End of input stops the server.
 */
public final class StdioTransport implements ServerTransport {

    private static final System.Logger LOG = System.getLogger(StdioTransport.class.getName());

    private final McpCore core;
    private final InputStream in;
    private final OutputStream out;
    private final long maxMessageSize;
    private final Caller caller;
    private final Runnable onEndOfInput;
    private volatile Thread reader;
    private volatile ClientConnection connection;

    public StdioTransport(McpCore core, InputStream in, OutputStream out, long maxMessageSize, Caller caller,
                          Runnable onEndOfInput) {
        this.core = core;
        this.in = in;
        this.out = out;
        this.maxMessageSize = maxMessageSize;
        this.caller = caller;
        this.onEndOfInput = onEndOfInput;
    }

    @Override
    public String name() {
        return "stdio";
    }

    @Override
    public void start() {
        connection = new ClientConnection(core, "stdio", caller, new LineWriter(out, "stdio"), maxMessageSize);
        connection.presence("stdio", null); // the parent process: ending it is stopping the server
        reader = Thread.ofVirtual().name("mcp-stdio-reader").start(this::readLoop);
    }

    private void readLoop() {
        LineReader lines = new LineReader(in, maxMessageSize);
        try {
            LineReader.Line line;
            while ((line = lines.next()) != null) {
                if (line.badEncoding()) {
                    connection.badEncoding();
                } else if (line.tooLong()) {
                    connection.tooLarge(line.oversize());
                } else {
                    connection.receive(line.text());
                }
            }
            LOG.log(System.Logger.Level.INFO, connection.session() + ": stdin closed; finishing in-flight requests, "
                    + "then shutting down");
            connection.session().awaitIdle(core.settings().shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, connection.session() + ": stdin failed (" + e.getMessage()
                    + "); shutting down");
        }
        connection.close();
        onEndOfInput.run();
    }

    @Override
    public String endpoint() {
        return "stdio=on";
    }

    @Override
    public Map<String, Integer> connectionCounts() {
        ClientConnection c = connection;
        return Map.of("stdio", c != null && !c.session().isClosed() ? 1 : 0);
    }

    @Override
    public void close() {
        ClientConnection c = connection;
        if (c != null) {
            c.close();
        }
    }
}
