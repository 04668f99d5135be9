package io.mcpserver.server.transport;

import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.ReadTurn;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.resume.Outbox;
import io.mcpserver.server.resume.SessionResumption;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.transport.TransportContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * One client on a message-oriented transport (stdio, TCP, WebSocket, plugin transports): a session,
 * the size limit, and the writer back to the client. Framing is the transport's business.
 */
public final class ClientConnection implements TransportContext.Connection {

    private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());

    private final McpCore core;
    /** The connection's session; a resume replaces it with the session the client came back for. */
    private volatile Session session;
    private final MessageSink writer;
    /** Session recovery, on WebSocket and TCP unless it is off; else null. */
    private final SessionResumption resumption;
    /** Where the session's messages go once it is resumable: numbered and kept for a replay. */
    private volatile Outbox outbox;
    private volatile Runnable takenOver = () -> { };
    private final long maxMessageSize;
    private final EdgeAuthenticator edge;
    private final EdgeAuthenticator.Peer peer;
    private volatile boolean authenticated;
    /** Dropped by the server (an administrator): what the client still sends is refused. */
    private volatile boolean dropped;
    /** What presence shows of this connection, kept to move it to a session the connection resumes. */
    private volatile String remote;
    private volatile Runnable drop;

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
        this.resumption = core.resumption().enabledFor(transport) ? core.resumption() : null;
        if (resumption != null) {
            // on a thread of its own: closing a dead peer's socket may block, and the new connection must not wait
            resumption.connected(session, writer, this, () -> Thread.ofVirtual().name("mcp-" + transport + "-taken-over")
                    .start(takenOver));
        }
        this.edge = edge;
        this.peer = new EdgeAuthenticator.Peer(transport, remote);
        this.authenticated = !edge.required();
        this.remote = remote;
        session.presence(remote, null);
    }

    /**
     * What presence shows and the admin API may do: the client's address, and how the transport ends this
     * connection from the server's side (close its socket); null when it cannot be ended from here (stdio).
     * Once dropped, messages still arriving are refused rather than run.
     */
    public void presence(String remote, Runnable drop) {
        this.remote = remote;
        this.drop = drop == null ? null : () -> {
            dropped = true;
            drop.run();
        };
        session.presence(this.remote, this.drop);
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
        if (dropped) {
            writer.send(JsonRpc.error(NullNode.getInstance(), ErrorCodes.INVALID_REQUEST,
                    "This connection was closed by the server's administrator; connect again", null));
            return false;
        }
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
                core.sessions().hold(session, edge.admitSession(core.sessions(), first.caller().subject()));
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
        if (resumption == null) {
            core.dispatcher().accept(session, message, writer);
            return true;
        }
        JsonNode parsed;
        try {
            parsed = Json.parse(message);
        } catch (JsonProcessingException e) {
            core.dispatcher().accept(session, message, writer); // answers the parse error
            return true;
        }
        Outbox out = outbox;
        if (out != null) {
            out.acknowledged(parsed);
            core.dispatcher().accept(session, parsed, out);
            return true;
        }
        // initialize answers on the connection itself: its result comes before anything numbered (a replay)
        core.dispatcher().accept(session, parsed, writer);
        if ("initialize".equals(parsed.path("method").asText(null))) {
            resumption.afterInitialize(session).ifPresent(this::switchTo);
        }
        return true;
    }

    /**
     * Before the transport reads the client's next message: waits for the turn of a principal that ran into its rate
     * limit lately (one message at a time over all its connections; see {@code Dispatcher#turn}); close it once the
     * message was handed on.
     */
    public ReadTurn turn() {
        return authenticated ? core.dispatcher().turn(session) : ReadTurn.ANY_TIME;
    }

    /**
     * After the transport handed a message of {@code bytes} on, before it reads the next: waits for the read slot of
     * a principal that ran into its rate limit lately, so that its connections are read at its rate and its byte
     * budget, then while the principal has {@code maxInFlight} requests running (0: no bound); returns at once
     * otherwise (see {@code Dispatcher#paceReading}).
     */
    public void paceReading(int maxInFlight, long bytes) {
        if (authenticated) {
            core.dispatcher().paceReading(session, maxInFlight, bytes);
        }
    }

    /**
     * Before the transport decodes and parses a message: while the client's principal is over its rate, a request is
     * refused from its id and method alone (true: answered); false: decode it and {@link #offer} it as usual.
     */
    public boolean refusedUnparsed(byte[] utf8, int length) {
        if (!authenticated || dropped || length > maxMessageSize) {
            return false;
        }
        Outbox out = outbox;
        return core.dispatcher().refusedUnparsed(session, utf8, length, out != null ? out : writer);
    }

    /** The same for a message the transport has decoded already (WebSocket text). */
    public boolean refusedUnparsed(String message) {
        if (!authenticated || dropped || message.length() > maxMessageSize) {
            return false;
        }
        Outbox out = outbox;
        return core.dispatcher().refusedUnparsed(session, message, out != null ? out : writer);
    }

    /** From now on the connection serves {@code attached}'s session through its outbox, replay first. */
    private void switchTo(SessionResumption.Attached attached) {
        Session fresh = session;
        if (attached.session() != fresh) { // a resume: the session this connection opened is not needed
            session = attached.session();
            core.sessions().close(fresh, "the connection resumed session " + attached.session().clientId());
        }
        outbox = attached.outbox();
        session.presence(remote, drop); // presence shows the resumed session on this connection
        session.detached(false);
        attached.open().run();
    }

    /**
     * What the transport does when another connection takes this connection's session over (the client came back
     * before the server noticed it was gone): end this connection.
     */
    public void onTakenOver(Runnable closer) {
        this.takenOver = closer;
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
        end(false);
    }

    /**
     * The connection ended: its session is closed (its running requests cancelled), unless it is resumable, when it
     * waits for its client for {@code sessions.resume-window}, or already continues on a newer connection.
     *
     * @param goodbye the client ended the connection on purpose (a WebSocket close with 1000): no resume expected
     */
    public SessionResumption.Ending end(boolean goodbye) {
        Session current = session;
        SessionResumption.Ending ending = resumption == null ? SessionResumption.Ending.CLOSED
                : resumption.connectionEnded(current, this, goodbye);
        if (ending == SessionResumption.Ending.CLOSED) {
            core.sessions().close(current, "connection closed");
        } else if (ending == SessionResumption.Ending.KEPT) {
            // listed as waiting for its client; closing it from the admin API ends the wait (nothing to drop)
            current.detached(true);
            current.presence(remote, () -> { });
        }
        return ending;
    }

    /** For the transport's log line: what became of the session when the connection ended. */
    public String endingNote(SessionResumption.Ending ending, int running) {
        return switch (ending) {
            case CLOSED -> running > 0 ? "; cancelled " + running + " running request(s)" : "";
            case KEPT -> "; session kept for " + core.resumption().settings().window().toMillis()
                    + " ms (sessions.resume-window) for the client to resume"
                    + (running > 0 ? ", " + running + " request(s) still running" : "");
            case TAKEN_OVER -> "; the session continues on a newer connection";
        };
    }
}
