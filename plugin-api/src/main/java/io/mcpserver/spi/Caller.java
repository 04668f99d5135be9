package io.mcpserver.spi;

import java.util.Map;
import java.util.Set;

/**
 * Who is calling: the authenticated principal and where the call came from.
 *
 * @param subject    the principal's subject ({@code sub} of a JWT, the configured local user for stdio,
 *                   {@code anonymous} when authentication is off)
 * @param scopes     OAuth scopes granted to the caller
 * @param roles      roles granted to the caller
 * @param transport  the transport the call arrived on: {@code stdio}, {@code tcp}, {@code http}, {@code sse},
 *                   {@code websocket}, or a plugin transport's name
 * @param clientId   the server-assigned id of the connection or session, unique across transports
 * @param clientInfo the client's self-description ({@code name}, {@code version}), empty if unknown
 */
public record Caller(String subject, Set<String> scopes, Set<String> roles, String transport, String clientId,
                     Map<String, Object> clientInfo) {

    public Caller {
        scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        clientInfo = clientInfo == null ? Map.of() : Map.copyOf(clientInfo);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** This caller with another subject; every other component kept. */
    public Caller withSubject(String subject) {
        return new Caller(subject, scopes, roles, transport, clientId, clientInfo);
    }

    /** This caller with other scopes; every other component kept. */
    public Caller withScopes(Set<String> scopes) {
        return new Caller(subject, scopes, roles, transport, clientId, clientInfo);
    }

    /** This caller with other roles; every other component kept. */
    public Caller withRoles(Set<String> roles) {
        return new Caller(subject, scopes, roles, transport, clientId, clientInfo);
    }

    /** This caller on another transport; every other component kept. */
    public Caller withTransport(String transport) {
        return new Caller(subject, scopes, roles, transport, clientId, clientInfo);
    }

    /** This caller with another client id; every other component kept. */
    public Caller withClientId(String clientId) {
        return new Caller(subject, scopes, roles, transport, clientId, clientInfo);
    }

    /** This caller with another self-description of its client; every other component kept. */
    public Caller withClientInfo(Map<String, Object> clientInfo) {
        return new Caller(subject, scopes, roles, transport, clientId, clientInfo);
    }
}
