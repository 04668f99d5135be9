package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.config.SecuritySettings;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.spi.Caller;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The edge with security on: credentials checked by the {@link CredentialCheckers} (bearer tokens as JWTs, API keys,
 * plugins' schemes), TLS client certificates mapped by {@code security.client-certificates}, and every refusal
 * written to the audit trail and counted against the client's address.
 */
final class BearerEdge implements EdgeAuthenticator {

    private static final System.Logger LOG = System.getLogger(BearerEdge.class.getName());

    private final CredentialCheckers checkers;
    private final SecuritySettings settings;
    private final AuditLog audit;
    private final ProtectedResourceMetadata metadata;
    private final RefusalLimiter refusals;
    /** Where limits.max-sessions-per-principal counts: this process, or the cluster. */
    private volatile SessionCaps caps = SessionCaps.LOCAL;

    /**
     * @param checkers the credential checkers: the server's and the plugins'
     * @param refusals {@code limits.rate.auth-failures-per-address}
     */
    BearerEdge(CredentialCheckers checkers, SecuritySettings settings, AuditLog audit,
               ProtectedResourceMetadata metadata, RefusalLimiter refusals) {
        this.checkers = checkers;
        this.settings = settings;
        this.audit = audit;
        this.metadata = metadata;
        this.refusals = refusals;
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public AuthResult authenticate(Peer peer, PresentedCredential credential) {
        AuthResult result = credential == null
                ? new AuthFailure(AuthFailure.Reason.MISSING_TOKEN, "a credential is required: "
                        + CredentialCheckers.howTo(checkers.schemes()))
                : checkers.check(io.mcpserver.spi.auth.Credential.of(credential.scheme(), credential.secret(),
                        peer.transport(), peer.remote()));
        if (result instanceof AuthFailure failure) {
            return refused(peer, failure);
        }
        return result;
    }

    @Override
    public FirstMessage firstMessage(Peer peer, String message) {
        FirstMessageAuth.Parts parts = FirstMessageAuth.read(message);
        if (!parts.request()) {
            AuthFailure failure = refused(peer, FirstMessageAuth.notARequest());
            return new FirstMessage(null, null, JsonRpc.error(parts.id(), failure.toMcpException()));
        }
        AuthResult result = authenticate(peer, parts.credential());
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

    @Override
    public ObjectNode firstMessageTimedOut(Peer peer, java.time.Duration timeout) {
        return JsonRpc.error(com.fasterxml.jackson.databind.node.NullNode.getInstance(),
                refused(peer, FirstMessageAuth.timedOut(timeout)).toMcpException());
    }

    @Override
    public io.mcpserver.server.protocol.SessionSlots.Slot admitSession(
            io.mcpserver.server.protocol.SessionRegistry sessions, String subject) {
        return caps.admit(sessions, subject, settings.rateLimits().maxSessionsPerPrincipal());
    }

    /** Counts sessions elsewhere (a cluster's Redis) from now on. */
    void caps(SessionCaps caps) {
        this.caps = caps;
    }

    /**
     * One place every refusal passes: the log line and the audit record, unless the address is over
     * {@code limits.rate.auth-failures-per-address}: then the client is told to retry later (429, -32000) and only
     * one such refusal per address and minute is audited, so a flood of bad tokens costs neither a line each nor
     * the records of others.
     *
     * @return what to tell the client: {@code failure}, or a {@link AuthFailure.Reason#RATE_LIMITED} one
     */
    private AuthFailure refused(Peer peer, AuthFailure failure) {
        RefusalLimiter.Verdict verdict = refusals.refused(RefusalLimiter.address(peer.remote()));
        LOG.log(System.Logger.Level.DEBUG, peer.transport() + " client " + peer.remote() + " refused: "
                + failure.reason().wireName() + (verdict.limited() ? " (rate limited)" : ""));
        if (!verdict.limited()) {
            audit.authenticationFailed(peer.transport(), peer.remote(), failure);
            return failure;
        }
        long ms = Math.max(1, (verdict.retryAfterNanos() + 999_999) / 1_000_000);
        if (verdict.audit()) {
            audit.authenticationFailed(peer.transport(), peer.remote(), new AuthFailure(AuthFailure.Reason.RATE_LIMITED,
                    "further refusals from this address within " + RefusalLimiter.AUDIT_WINDOW_NANOS / 1_000_000_000L
                            + " s are answered 'retry later' and not recorded one by one (last: "
                            + failure.reason().wireName() + ")", ms));
        }
        return new AuthFailure(AuthFailure.Reason.RATE_LIMITED, "this address has had too many refused "
                + "authentications (limits.rate.auth-failures-per-address); retry after " + ms + " ms", ms);
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
