package io.mcpserver.server.security;

import io.mcpserver.server.protocol.JsonRpc;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.spi.Caller;

import java.security.cert.Certificate;
import java.util.Optional;

/**
 * The one place where a client's credential is checked, for every transport: a bearer token from an HTTP
 * {@code Authorization} header or a WebSocket upgrade, a connection's first message (TCP, plugin transports), or
 * a verified TLS client certificate. Transports only find the credential and answer a refusal in their own terms
 * (401, a JSON-RPC error); what is valid, what is audited and what a refusal costs the peer is decided here.
 * With security off this is the null object {@link #off(Caller)}: everyone is one caller, nothing is checked.
 */
public interface EdgeAuthenticator {

    /** Who is knocking: the transport's name (for the audit trail) and the client's address, null if unknown. */
    record Peer(String transport, String remote) {
    }

    /**
     * What became of a connection's first message: the text to hand on and the caller it stands for, or the
     * JSON-RPC error to answer instead.
     */
    record FirstMessage(String message, Caller caller, ObjectNode refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    /** Whether clients must present a credential (security on). */
    boolean required();

    /**
     * The caller a bearer token stands for, or why it is refused (written to the audit trail).
     *
     * @param token the token without its {@code Bearer } prefix; null or blank when the client sent none
     */
    default AuthResult bearer(Peer peer, String token) {
        return authenticate(peer, PresentedCredential.bearer(token));
    }

    /**
     * The caller a credential stands for (a bearer token, an API key, or any scheme a plugin's checker takes), or
     * why it is refused (written to the audit trail, counted per address).
     *
     * @param credential what the client presented; null when it sent none
     */
    AuthResult authenticate(Peer peer, PresentedCredential credential);

    /**
     * For transports without headers: a connection's first message must be a request carrying the credential in
     * {@code params._meta["io.mcpserver/authorization"]} ({@code Bearer <token>} or {@code ApiKey <key>},
     * {@link FirstMessageAuth}); the entry is removed before the message goes on.
     */
    FirstMessage firstMessage(Peer peer, String message);

    /**
     * The caller a verified TLS client certificate stands for; empty when there is none, it names nobody, or
     * security is off (then the connection authenticates with its first message).
     *
     * @param chain the peer's certificate chain as the TLS layer verified it, the client's own first
     */
    Optional<Caller> certificate(Certificate[] chain);

    /** The caller of a connection that has not authenticated yet: nobody, or with security off everyone. */
    Caller unauthenticated();

    /** What a challenge points at (RFC 9728); empty when security is off. */
    Optional<ProtectedResourceMetadata> metadata();

    /**
     * A connection sent no first message within its transport's deadline ({@code transports.tcp.auth-timeout}):
     * the JSON-RPC error to send before closing it (audited like any refusal).
     */
    default ObjectNode firstMessageTimedOut(Peer peer, java.time.Duration timeout) {
        return JsonRpc.error(com.fasterxml.jackson.databind.node.NullNode.getInstance(),
                FirstMessageAuth.timedOut(timeout).toMcpException());
    }

    /**
     * Refuses one more session of {@code subject} when it has {@code limits.max-sessions-per-principal} open over
     * all transports (TCP and WebSocket connections, HTTP and SSE sessions): one token must not take every slot.
     * Else the session's slot, taken now, before the session exists, so that opens racing each other cannot all
     * pass: the transport hands it to the session it opens ({@code SessionRegistry.hold}) or, on every path where
     * that session does not come to be, releases it. Nothing is counted with security off, where every connection
     * is its own principal ({@link io.mcpserver.server.protocol.SessionSlots.Slot#NONE}).
     *
     * @param sessions every open session
     * @throws io.mcpserver.server.protocol.McpException {@code -32000} when the subject has as many as it may
     */
    default io.mcpserver.server.protocol.SessionSlots.Slot admitSession(
            io.mcpserver.server.protocol.SessionRegistry sessions, String subject) {
        return io.mcpserver.server.protocol.SessionSlots.Slot.NONE;
    }

    /** Security off: every client is {@code everyone}, and no credential is looked at. */
    static EdgeAuthenticator off(Caller everyone) {
        return new OpenEdge(everyone);
    }

    /** The null object: authenticates nobody and refuses nobody. */
    record OpenEdge(Caller everyone) implements EdgeAuthenticator {

        @Override
        public boolean required() {
            return false;
        }

        @Override
        public AuthResult authenticate(Peer peer, PresentedCredential credential) {
            return new AuthResult.Authenticated(everyone);
        }

        @Override
        public FirstMessage firstMessage(Peer peer, String message) {
            return new FirstMessage(message, everyone, null);
        }

        @Override
        public Optional<Caller> certificate(Certificate[] chain) {
            return Optional.empty();
        }

        @Override
        public Caller unauthenticated() {
            return everyone;
        }

        @Override
        public Optional<ProtectedResourceMetadata> metadata() {
            return Optional.empty();
        }
    }
}
