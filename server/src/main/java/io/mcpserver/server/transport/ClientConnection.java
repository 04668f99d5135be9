package io.mcpserver.server.transport;

import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.security.EdgeAuthenticator;
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
    private final EdgeAuthenticator edge;
    private final EdgeAuthenticator.Peer peer;
    private volatile boolean authenticated;

    /** A connection whose caller is known: stdio's local process, a WebSocket upgrade, a TLS client certificate. */
    public ClientConnection(McpCore core, String transport, Caller caller, MessageSink writer, long maxMessageSize) {
        this(core, transport, caller, writer, maxMessageSize, EdgeAuthenticator.off(caller), null);
    }

    /**
     * A connection that authenticates with its first message when the edge requires credentials (TCP without a
     * client certificate, plugin transports).
     *
     * @param remote the client's address, for the audit trail; null if unknown
     */
    public ClientConnection(McpCore core, String transport, MessageSink writer, long maxMessageSize,
                            EdgeAuthenticator edge, String remote) {
        this(core, transport, edge.unauthenticated(), writer, maxMessageSize, edge, remote);
    }

    private ClientConnection(McpCore core, String transport, Caller caller, MessageSink writer, long maxMessageSize,
                            EdgeAuthenticator edge, String remote) {
        this.core = core;
        this.writer = writer;
        this.maxMessageSize = maxMessageSize;
        this.session = core.sessions().open(transport, caller, writer);
        this.edge = edge;
        this.peer = new EdgeAuthenticator.Peer(transport, remote);
        this.authenticated = !edge.required();
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
        offer(message);
    }

    /**
     * Hands one message on. Until the connection has authenticated, the message must carry the credential: a
     * refusal is answered with one JSON-RPC error and false is returned (TCP then closes the connection; a plugin
     * transport's next message is checked again).
     */
    public boolean offer(String message) {
        if (message.length() > maxMessageSize) { // chars ≤ bytes, so this only catches some; framers check bytes
            tooLarge(message.length());
            return true;
        }
        if (!authenticated) {
            EdgeAuthenticator.FirstMessage first = edge.firstMessage(peer, message);
            if (first.refused()) {
                writer.send(first.refusal());
                return false;
            }
            try { // limits.max-sessions-per-principal, counted once the subject is known
                edge.admitSession(core.sessions(), first.caller().subject(), false);
            } catch (McpException e) {
                writer.send(JsonRpc.error(NullNode.getInstance(), e));
                return false;
            }
            session.authenticated(first.caller());
            authenticated = true;
            message = first.message();
        }
        if (message.isBlank()) {
            return true;
        }
        core.dispatcher().accept(session, message, writer);
        return true;
    }

    /**
     * The client sent no authenticating first message within {@code timeout}: tells it so (audited at the edge);
     * the transport then closes the connection.
     */
    public void authenticationTimedOut(java.time.Duration timeout) {
        writer.send(edge.firstMessageTimedOut(peer, timeout));
    }

    /** Whether the client is known: authenticated with its first message, or needing no credential. */
    public boolean authenticated() {
        return authenticated;
    }

    /** Tells the client its message was not valid UTF-8 (-32700, as over HTTP); the message is dropped. */
    public void badEncoding() {
        LOG.log(System.Logger.Level.INFO, session + ": dropped a message that is not valid UTF-8");
        writer.send(JsonRpc.error(NullNode.getInstance(), ErrorCodes.PARSE_ERROR,
                "Parse error: the message is not valid UTF-8", null));
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
