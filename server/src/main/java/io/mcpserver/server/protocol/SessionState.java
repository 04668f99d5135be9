package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.spi.LogLevel;

import java.util.Map;
import java.util.Set;

/**
 * What a shared session negotiated, as a {@link SessionStore} keeps it so that any node can serve the session:
 * who the principal is, the protocol version, the client's capabilities and info, the log level, the
 * subscriptions. Channels, in-flight requests and pending server→client requests are not part of it: they belong
 * to the node that runs them.
 *
 * @param version null until {@code initialize} succeeded
 */
public record SessionState(String id, String clientId, String transport, String subject, Set<String> scopes,
                           Set<String> roles, String version, JsonNode clientCapabilities,
                           Map<String, Object> clientInfo, LogLevel logLevel, Set<String> subscriptions) {

    public SessionState {
        scopes = Set.copyOf(scopes);
        roles = Set.copyOf(roles);
        clientInfo = clientInfo == null ? Map.of() : clientInfo;
        subscriptions = Set.copyOf(subscriptions);
    }

    /** The state of {@code session} now. */
    static SessionState of(Session session) {
        ProtocolVersion v = session.protocolVersion();
        return new SessionState(session.id(), session.clientId(), session.transport(), session.caller().subject(),
                session.caller().scopes(), session.caller().roles(), v == null ? null : v.id(),
                session.clientCapabilities(), session.clientInfo(), session.logLevel(), Set.copyOf(session.subscriptions()));
    }
}
