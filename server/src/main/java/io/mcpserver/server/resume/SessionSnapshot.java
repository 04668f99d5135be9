package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.protocol.Session;

import java.util.Map;
import java.util.Set;

/**
 * What a legacy-era session negotiated, as plain values: what another process would need to take the session over
 * (a cluster store keeps it with the token). In one process the live {@link Session} itself is resumed.
 */
public record SessionSnapshot(String sessionId, String transport, String protocolVersion, JsonNode clientCapabilities,
                              Map<String, Object> clientInfo, String logLevel, Set<String> subscriptions,
                              long lastSeq) {

    public SessionSnapshot {
        clientInfo = clientInfo == null ? Map.of() : Map.copyOf(clientInfo);
        subscriptions = subscriptions == null ? Set.of() : Set.copyOf(subscriptions);
    }

    static SessionSnapshot of(Session session, long lastSeq) {
        return new SessionSnapshot(session.id(), session.transport(),
                session.protocolVersion() == null ? null : session.protocolVersion().id(),
                session.clientCapabilities(), session.clientInfo(),
                session.logLevel() == null ? null : session.logLevel().wireName(),
                session.subscriptions(), lastSeq);
    }
}
