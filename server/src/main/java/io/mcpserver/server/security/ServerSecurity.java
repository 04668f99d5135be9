package io.mcpserver.server.security;

import io.mcpserver.server.config.SecuritySettings;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;


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
    private final EdgeAuthenticator edge;
    private final CredentialCheckers checkers;
    private volatile Authenticator authenticator;
    private volatile ApiKeyChecker apiKeys;

    /** @param mcpPath the Streamable HTTP endpoint's path, which the protected resource metadata describes */
    public ServerSecurity(SecuritySettings settings, String mcpPath, Clock clock) {
        this(settings, mcpPath, clock, System::nanoTime);
    }

    /** @param nanoClock the rate limits' monotonic clock ({@link System#nanoTime}; tests move their own) */
    public ServerSecurity(SecuritySettings settings, String mcpPath, Clock clock, java.util.function.LongSupplier nanoClock) {
        this.settings = settings;
        this.clock = clock;
        RuleAccessPolicy rules = RuleAccessPolicy.of(settings);
        this.access = settings.enabled() ? rules : AccessPolicy.ALLOW_ALL;
        this.limiter = new RateLimiter(settings.rateLimits(), settings.enabled(), nanoClock);
        this.audit = new AuditLog(settings.audit(), clock);
        this.metadata = new ProtectedResourceMetadata(settings.resource(), mcpPath, settings.authorizationServers(),
                settings.scopesSupported().isEmpty() ? List.copyOf(rules.allScopes()) : settings.scopesSupported());
        SecuritySettings.Identity local = settings.stdio();
        // The process that started us over stdio is trusted: unless configured otherwise it may use everything.
        this.localCaller = Caller.builder(local.subject())
                .scopes(local.scopes() != null ? local.scopes() : settings.enabled() ? rules.allScopes() : Set.of())
                .roles(local.roles() != null ? local.roles() : settings.enabled() ? rules.allRoles() : Set.of())
                .transport("stdio")
                .build();
        List<io.mcpserver.spi.auth.CredentialChecker> builtIn = new java.util.ArrayList<>();
        if (settings.jwt().configured() || !settings.apiKeys().configured()) {
            builtIn.add(new BearerTokenChecker(() -> authenticator));
        }
        if (settings.apiKeys().configured()) {
            builtIn.add(new ApiKeySource());
        }
        this.checkers = new CredentialCheckers(builtIn);
        this.edge = settings.enabled() ? new BearerEdge(checkers, settings, audit, metadata,
                new RefusalLimiter(settings.rateLimits().authFailuresPerAddress(),
                        settings.rateLimits().authFailuresBurst(), System::nanoTime))
                : EdgeAuthenticator.off(anonymous());
    }

    /** Reads the issuer's keys and opens the audit file; the message of the exception says what is wrong. */
    public void start() throws IOException {
        if (settings.enabled()) {
            List<String> accepted = new java.util.ArrayList<>();
            if (settings.jwt().configured()) {
                authenticator = JwtAuthenticator.create(settings.jwt(), clock);
                accepted.add("bearer tokens from " + settings.jwt().issuer() + " for audience " + settings.jwt().audience());
            }
            if (settings.apiKeys().configured()) {
                apiKeys = new ApiKeyChecker(settings.apiKeys(), clock);
                accepted.add(apiKeys.size() + " API keys" + (settings.apiKeys().file() == null ? ""
                        : " (" + settings.apiKeys().file() + " re-read when it changes)"));
            }
            LOG.log(System.Logger.Level.INFO, "Security on: " + String.join(", ", accepted) + "; "
                    + settings.rules().size() + " authorization rules");
        } else if (!settings.rules().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "security.rules are set but security.enabled is false: the rules are not applied");
        }
        audit.start();
    }

    public boolean enabled() {
        return settings.enabled();
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
                audit.admit(session, method, params);
            }

            @Override
            public void completed(Completion completion) {
                audit.completed(completion);
            }

            @Override
            public Object principal(Session session) {
                return limiter.principal(session);
            }

            @Override
            public long refusedForNanos(Session session) {
                return limiter.refusedForNanos(session);
            }

            @Override
            public long tokenIntervalNanos(Session session) {
                return limiter.tokenIntervalNanos(session);
            }

            @Override
            public long pacedBytesPerSecond(Session session) {
                return limiter.pacedBytesPerSecond(session);
            }

            @Override
            public McpException refusedUnparsed(Session session, String method, long waitNanos) {
                return limiter.refusedUnparsed(session, method, waitNanos);
            }

            @Override
            public boolean countsBytes() {
                return limiter.countsBytes();
            }

            @Override
            public McpException takeBytes(Session session, long bytes) {
                return limiter.takeBytes(session, bytes);
            }
        };
    }

    public AuditLog audit() {
        return audit;
    }

    /**
     * Counts {@code limits.max-sessions-per-principal} with {@code shared} (a cluster's Redis), which gets this
     * process's own count for the times it cannot reach its store. Nothing is counted with security off.
     */
    public void shareSessionCaps(java.util.function.Function<SessionCaps, SessionCaps> shared) {
        if (edge instanceof BearerEdge bearer) {
            bearer.caps(shared.apply(SessionCaps.LOCAL));
        }
    }

    /** The rate limits ({@code limits.rate.*}); a cluster puts their buckets in Redis. */
    public RateLimiter rateLimiter() {
        return limiter;
    }

    public ProtectedResourceMetadata metadata() {
        return metadata;
    }

    /** The identity of the client on stdio (the local process that started us). */
    public Caller localCaller() {
        return localCaller;
    }

    /**
     * The one edge authenticator for every transport: bearer tokens, first messages and TLS client certificates
     * when security is on; the null object that lets everyone in as {@link #anonymous()} when it is off.
     */
    public EdgeAuthenticator edge() {
        return edge;
    }

    /**
     * Where the plugins' credential checkers come from: asked after the server's own, for every credential they
     * did not accept. Read on every such check, so the supplier should cache what it read from the plugins.
     */
    public void pluginCheckers(java.util.function.Supplier<List<CredentialCheckers.PluggedChecker>> plugins) {
        checkers.plugins(plugins);
    }

    /** API keys, read when security starts; refuses every key before that. */
    private final class ApiKeySource implements io.mcpserver.spi.auth.CredentialChecker {
        @Override
        public String name() {
            return "api-keys";
        }

        @Override
        public Set<String> schemes() {
            return Set.of(io.mcpserver.spi.auth.Credential.API_KEY);
        }

        @Override
        public io.mcpserver.spi.auth.CredentialCheck check(io.mcpserver.spi.auth.Credential credential) {
            ApiKeyChecker keys = apiKeys;
            return keys != null ? keys.check(credential)
                    : io.mcpserver.spi.auth.CredentialCheck.refused(ApiKeyChecker.REASON, ApiKeyChecker.DESCRIPTION);
        }
    }

    /** The caller of a network transport when security is off. */
    public static Caller anonymous() {
        return Caller.builder("anonymous").build();
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
