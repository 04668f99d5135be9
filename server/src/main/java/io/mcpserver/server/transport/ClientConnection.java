package io.mcpserver.server.transport;

import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.transport.TransportContext;

import com.fasterxml.jackson.databind.node.NullNode;

/**
 * One client on a message-oriented transport (stdio, TCP, WebSocket, plugin transports): a session,
 * the size limit, and the writer back to the client. Framing is the transport's business.
 */
public final class ClientConnection implements TransportContext.Connection {

    private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());

    private final McpCore core;
    private final Session session;
    private final MessageSink writer;
    private final long maxMessageSize;

    public ClientConnection(McpCore core, String transport, Caller caller, MessageSink writer, long maxMessageSize) {
        this.core = core;
        this.writer = writer;
        this.maxMessageSize = maxMessageSize;
        this.session = core.sessions().open(transport, caller, writer);
    }

    public Session session() {
        return session;
    }

    @Override
    public String clientId() {
        return session.clientId();
    }

    @Override
    public void receive(String message) {
        if (message.length() > maxMessageSize) { // chars ≤ bytes, so this only catches some; framers check bytes
            tooLarge(message.length());
            return;
        }
        if (message.isBlank()) {
            return;
        }
        core.dispatcher().accept(session, message, writer);
    }

    /** Tells the client its message was over the limit; the message itself is dropped unread. */
    public void tooLarge(long size) {
        LOG.log(System.Logger.Level.WARNING, session + ": dropped a message of " + size + " bytes (limit "
                + maxMessageSize + ")");
        writer.send(JsonRpc.error(NullNode.getInstance(), ErrorCodes.INVALID_REQUEST, "Message too large: "
                + size + " bytes exceeds the limit of " + maxMessageSize + " bytes", null));
    }

    public long maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public void close() {
        core.sessions().close(session, "connection closed");
    }
}
