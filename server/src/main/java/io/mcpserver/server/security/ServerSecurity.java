package io.mcpserver.server.security;

import io.mcpserver.server.config.SecuritySettings;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Everything security for one server: authentication at the transports' edges, the authorization rules the
 * dispatcher checks, rate limits and the audit trail around every request, and the protected resource metadata.
 * With {@code security.enabled: false} nobody is authenticated (every network caller is {@code anonymous}) and
 * every rule is off; rate limits and the audit trail work either way.
 */
public final class ServerSecurity implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ServerSecurity.class.getName());

    private final SecuritySettings settings;
    private final Clock clock;
    private final AccessPolicy access;
    private final RateLimiter limiter;
    private final AuditLog audit;
    private final ProtectedResourceMetadata metadata;
    private final Caller localCaller;
    private volatile Authenticator authenticator;

    /** @param mcpPath the Streamable HTTP endpoint's path, which the protected resource metadata describes */
    public ServerSecurity(SecuritySettings settings, String mcpPath, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        RuleAccessPolicy rules = RuleAccessPolicy.of(settings);
        this.access = settings.enabled() ? rules : AccessPolicy.ALLOW_ALL;
        this.limiter = new RateLimiter(settings.rateLimits(), settings.enabled(), System::nanoTime);
        this.audit = new AuditLog(settings.audit(), clock);
        this.metadata = new ProtectedResourceMetadata(settings.resource(), mcpPath, settings.authorizationServers(),
                settings.scopesSupported().isEmpty() ? List.copyOf(rules.allScopes()) : settings.scopesSupported());
        SecuritySettings.Identity local = settings.stdio();
        // The process that started us over stdio is trusted: unless configured otherwise it may use everything.
        this.localCaller = new Caller(local.subject(),
                local.scopes() != null ? local.scopes() : settings.enabled() ? rules.allScopes() : Set.of(),
                local.roles() != null ? local.roles() : settings.enabled() ? rules.allRoles() : Set.of(),
                "stdio", null, Map.of());
    }

    /** Reads the issuer's keys and opens the audit file; the message of the exception says what is wrong. */
    public void start() throws IOException {
        if (settings.enabled()) {
            authenticator = JwtAuthenticator.create(settings.jwt(), clock);
            LOG.log(System.Logger.Level.INFO, "Security on: bearer tokens from " + settings.jwt().issuer() + " for audience "
                    + settings.jwt().audience() + "; " + settings.rules().size() + " authorization rules");
        } else if (!settings.rules().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "security.rules are set but security.enabled is false: the rules are not applied");
        }
        audit.start();
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** Whether a call may be refused by the rules (security on) or the rate limits. */
    public boolean mayRefuseCalls() {
        return settings.enabled() || limiter.isOn();
    }

    public SecuritySettings settings() {
        return settings;
    }

    /** The rules for the dispatcher; {@link AccessPolicy#ALLOW_ALL} when security is off. */
    public AccessPolicy accessPolicy() {
        return access;
    }

    /** Rate limits before, the audit record after, every request: for the dispatcher. */
    public RequestHook requestHook() {
        return new RequestHook() {
            @Override
            public void admit(Session session, String method, JsonNode params) {
                limiter.admit(session, method, params);
            }

            @Override
            public void completed(Completion completion) {
                audit.completed(completion);
            }
        };
    }

    public AuditLog audit() {
        return audit;
    }

    public ProtectedResourceMetadata metadata() {
        return metadata;
    }

    /** The identity of the client on stdio (the local process that started us). */
    public Caller localCaller() {
        return localCaller;
    }

    /**
     * The caller a verified TLS client certificate stands for: its subject's CN, with the scopes and roles
     * {@code security.client-certificates.<CN>} grants. Empty when security is off or there is no certificate.
     *
     * @param chain the peer's certificate chain as the TLS layer verified it, the client's own first
     */
    public Optional<Caller> certificateCaller(Certificate[] chain) {
        if (!settings.enabled() || chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            return Optional.empty();
        }
        String cn = commonName(cert.getSubjectX500Principal());
        if (cn == null) {
            return Optional.empty();
        }
        SecuritySettings.Identity granted = settings.clientCertificates().get(cn);
        return Optional.of(new Caller(cn, granted == null ? Set.of() : granted.scopes(),
                granted == null ? Set.of() : granted.roles(), null, null, Map.of()));
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

    /** The caller of a network transport when security is off. */
    public static Caller anonymous() {
        return new Caller("anonymous", Set.of(), Set.of(), null, null, Map.of());
    }

    /**
     * Authentication at a transport's edge: the caller a bearer token stands for, or why it is refused (which
     * is also written to the audit trail). With security off, everyone is {@link #anonymous()}.
     *
     * @param transport   the transport's name, for the audit trail
     * @param remote      the client's address, for the audit trail; null if unknown
     * @param bearerToken the token the client presented; null or blank when none
     */
    public AuthResult authenticate(String transport, String remote, String bearerToken) {
        if (!settings.enabled()) {
            return new AuthResult.Authenticated(anonymous());
        }
        AuthResult result = authenticator.authenticate(bearerToken);
        if (result instanceof AuthFailure failure) {
            LOG.log(System.Logger.Level.DEBUG, transport + " client " + remote + " refused: " + failure.reason().wireName());
            audit.authenticationFailed(transport, remote, failure);
        }
        return result;
    }

    /**
     * Logs a prominent warning for every network listener reachable from other hosts while security is off:
     * anyone who can reach the port can call every tool.
     *
     * @param listeners transport name → the host it binds to
     */
    public void warnIfExposed(Map<String, String> listeners) {
        if (settings.enabled()) {
            return;
        }
        listeners.forEach((transport, host) -> {
            if (!isLoopback(host)) {
                LOG.log(System.Logger.Level.WARNING, "\n"
                        + "*****************************************************************************\n"
                        + "  SECURITY IS OFF and the " + transport + " transport listens on " + host + ", which is\n"
                        + "  not a loopback address: anyone who can reach it can call every tool.\n"
                        + "  Set security.enabled: true (see docs/security.md) or bind to 127.0.0.1.\n"
                        + "*****************************************************************************");
            }
        });
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Writes the audit records still queued. */
    @Override
    public void close() {
        audit.close();
    }
}
