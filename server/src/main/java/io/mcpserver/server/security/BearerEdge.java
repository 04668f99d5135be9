package io.mcpserver.server.security;

import io.mcpserver.server.config.SecuritySettings;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.spi.Caller;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The edge with security on: bearer tokens checked by the {@link Authenticator} (JWT), TLS client certificates
 * mapped by {@code security.client-certificates}, and every refusal written to the audit trail.
 */
final class BearerEdge implements EdgeAuthenticator {

    private static final System.Logger LOG = System.getLogger(BearerEdge.class.getName());

    private final Supplier<Authenticator> authenticator;
    private final SecuritySettings settings;
    private final AuditLog audit;
    private final ProtectedResourceMetadata metadata;

    /** @param authenticator the token checker, known once security has started (it reads the issuer's keys) */
    BearerEdge(Supplier<Authenticator> authenticator, SecuritySettings settings, AuditLog audit,
               ProtectedResourceMetadata metadata) {
        this.authenticator = authenticator;
        this.settings = settings;
        this.audit = audit;
        this.metadata = metadata;
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public AuthResult bearer(Peer peer, String token) {
        AuthResult result = authenticator.get().authenticate(token);
        if (result instanceof AuthFailure failure) {
            refused(peer, failure);
        }
        return result;
    }

    @Override
    public FirstMessage firstMessage(Peer peer, String message) {
        FirstMessageAuth.Parts parts = FirstMessageAuth.read(message);
        if (!parts.request()) {
            AuthFailure failure = FirstMessageAuth.notARequest();
            refused(peer, failure);
            return new FirstMessage(null, null, JsonRpc.error(parts.id(), failure.toMcpException()));
        }
        AuthResult result = bearer(peer, parts.token());
        if (result instanceof AuthFailure failure) {
            return new FirstMessage(null, null, JsonRpc.error(parts.id(), failure.toMcpException()));
        }
        return new FirstMessage(parts.message(), ((AuthResult.Authenticated) result).caller(), null);
    }

    @Override
    public Optional<Caller> certificate(Certificate[] chain) {
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            return Optional.empty();
        }
        String cn = commonName(cert.getSubjectX500Principal());
        if (cn == null) {
            return Optional.empty();
        }
        SecuritySettings.Identity granted = settings.clientCertificates().get(cn);
        return Optional.of(ServerSecurity.anonymous().withSubject(cn)
                .withScopes(granted == null ? Set.of() : granted.scopes())
                .withRoles(granted == null ? Set.of() : granted.roles()));
    }

    @Override
    public Caller unauthenticated() {
        return ServerSecurity.anonymous(); // nothing is dispatched for it: the first message must authenticate
    }

    @Override
    public Optional<ProtectedResourceMetadata> metadata() {
        return Optional.of(metadata);
    }

    /** One place every refusal passes: the log line and the audit record. */
    private void refused(Peer peer, AuthFailure failure) {
        LOG.log(System.Logger.Level.DEBUG, peer.transport() + " client " + peer.remote() + " refused: "
                + failure.reason().wireName());
        audit.authenticationFailed(peer.transport(), peer.remote(), failure);
    }

    private static String commonName(X500Principal principal) {
        try {
            for (Rdn rdn : new LdapName(principal.getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
