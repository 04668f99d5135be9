package io.mcpserver.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling: the authenticated principal and where the call came from. The server builds it; plugins build
 * one only as a test double, with {@link #builder}.
 */
public final class Caller {

    private final String subject;
    private final Set<String> scopes;
    private final Set<String> roles;
    private final String transport;
    private final String clientId;
    private final Map<String, Object> clientInfo;

    /**
     * @param subject    the principal's subject ({@code sub} of a JWT, the configured local user for stdio,
     *                   {@code anonymous} when authentication is off)
     * @param scopes     OAuth scopes granted to the caller
     * @param roles      roles granted to the caller
     * @param transport  the transport the call arrived on
     * @param clientId   the server-assigned id of the connection or session
     * @param clientInfo the client's self-description ({@code name}, {@code version}), empty if unknown
     * @deprecated use {@link #builder}; kept so plugins built against 0.1 still link
     */
    @Deprecated
    public Caller(String subject, Set<String> scopes, Set<String> roles, String transport, String clientId,
                  Map<String, Object> clientInfo) {
        this(builder(subject).scopes(scopes).roles(roles).transport(transport).clientId(clientId)
                .clientInfo(clientInfo));
    }

    private Caller(Builder b) {
        this.subject = Values.required(b.subject, "caller subject");
        this.scopes = b.scopes == null ? Set.of() : Set.copyOf(b.scopes);
        this.roles = b.roles == null ? Set.of() : Set.copyOf(b.roles);
        this.transport = b.transport;
        this.clientId = b.clientId;
        this.clientInfo = b.clientInfo == null ? Map.of() : Map.copyOf(b.clientInfo);
    }

    public static Builder builder(String subject) {
        return new Builder(subject);
    }

    /** A builder holding this caller's values, to derive a changed copy. */
    public Builder toBuilder() {
        return new Builder(subject).scopes(scopes).roles(roles).transport(transport).clientId(clientId)
                .clientInfo(clientInfo);
    }

    /**
     * The principal's subject: {@code sub} of a JWT, the configured local user for stdio, {@code anonymous} when
     * authentication is off.
     */
    public String subject() {
        return subject;
    }

    /** OAuth scopes granted to the caller; empty when none. */
    public Set<String> scopes() {
        return scopes;
    }

    /** Roles granted to the caller; empty when none. */
    public Set<String> roles() {
        return roles;
    }

    /**
     * The transport the call arrived on: {@code stdio}, {@code tcp}, {@code http}, {@code sse}, {@code websocket},
     * or a plugin transport's name; null before the server knows it.
     */
    public String transport() {
        return transport;
    }

    /** The server-assigned id of the connection or session, unique across transports; null before it has one. */
    public String clientId() {
        return clientId;
    }

    /** The client's self-description ({@code name}, {@code version}); empty if unknown. */
    public Map<String, Object> clientInfo() {
        return clientInfo;
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** This caller with another subject; everything else kept. */
    public Caller withSubject(String subject) {
        return toBuilder().subject(subject).build();
    }

    /** This caller with other scopes; everything else kept. */
    public Caller withScopes(Set<String> scopes) {
        return toBuilder().scopes(scopes).build();
    }

    /** This caller with other roles; everything else kept. */
    public Caller withRoles(Set<String> roles) {
        return toBuilder().roles(roles).build();
    }

    /** This caller on another transport; everything else kept. */
    public Caller withTransport(String transport) {
        return toBuilder().transport(transport).build();
    }

    /** This caller with another client id; everything else kept. */
    public Caller withClientId(String clientId) {
        return toBuilder().clientId(clientId).build();
    }

    /** This caller with another self-description of its client; everything else kept. */
    public Caller withClientInfo(Map<String, Object> clientInfo) {
        return toBuilder().clientInfo(clientInfo).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Caller c && subject.equals(c.subject) && scopes.equals(c.scopes) && roles.equals(c.roles)
                && Objects.equals(transport, c.transport) && Objects.equals(clientId, c.clientId)
                && clientInfo.equals(c.clientInfo);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, scopes, roles, transport, clientId, clientInfo);
    }

    @Override
    public String toString() {
        return "Caller[subject=" + subject + ", scopes=" + scopes + ", roles=" + roles + ", transport=" + transport
                + ", clientId=" + clientId + ", clientInfo=" + clientInfo + "]";
    }

    public static final class Builder {
        private String subject;
        private Set<String> scopes;
        private Set<String> roles;
        private String transport;
        private String clientId;
        private Map<String, Object> clientInfo;

        private Builder(String subject) {
            this.subject = subject;
        }

        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        public Builder scopes(Set<String> scopes) {
            this.scopes = scopes;
            return this;
        }

        public Builder roles(Set<String> roles) {
            this.roles = roles;
            return this;
        }

        public Builder transport(String transport) {
            this.transport = transport;
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder clientInfo(Map<String, Object> clientInfo) {
            this.clientInfo = clientInfo;
            return this;
        }

        public Caller build() {
            return new Caller(this);
        }
    }
}
