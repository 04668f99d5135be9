package io.mcpserver.server.config;

import io.mcpserver.server.protocol.AccessPolicy;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code security.*}, {@code audit.*}, {@code limits.rate.*} and the stdio identity: authentication,
 * authorization rules, the audit trail and rate limits. Everything here is documented in
 * {@code conf/mcp-server.yaml}.
 *
 * @param enabled              the one switch: bearer tokens on every network transport, rules checked
 * @param resource             this server's canonical URI (RFC 8707 / RFC 9728), null to derive it from requests
 * @param authorizationServers issuers clients get tokens from, for the protected resource metadata
 * @param scopesSupported      scopes advertised in the metadata; empty means every scope the rules name
 * @param defaultAllow         whether a name no rule matches is open to every authenticated caller
 * @param scopeImplies         scope hierarchy: a granted scope (key) also grants the listed ones
 * @param apiKeys              {@code security.api-keys} and {@code security.api-keys-file}
 */
public record SecuritySettings(boolean enabled, String resource, List<String> authorizationServers,
                               List<String> scopesSupported, JwtSettings jwt, List<AccessRule> rules,
                               boolean defaultAllow, Map<String, List<String>> scopeImplies,
                               Identity stdio, Map<String, Identity> clientCertificates, AuditSettings audit,
                               RateLimitSettings rateLimits, ApiKeySettings apiKeys) {

    /** Without API keys. */
    public SecuritySettings(boolean enabled, String resource, List<String> authorizationServers,
                            List<String> scopesSupported, JwtSettings jwt, List<AccessRule> rules,
                            boolean defaultAllow, Map<String, List<String>> scopeImplies,
                            Identity stdio, Map<String, Identity> clientCertificates, AuditSettings audit,
                            RateLimitSettings rateLimits) {
        this(enabled, resource, authorizationServers, scopesSupported, jwt, rules, defaultAllow, scopeImplies, stdio,
                clientCertificates, audit, rateLimits, ApiKeySettings.NONE);
    }

    public SecuritySettings {
        authorizationServers = List.copyOf(authorizationServers);
        scopesSupported = List.copyOf(scopesSupported);
        rules = List.copyOf(rules);
        scopeImplies = Map.copyOf(scopeImplies);
        clientCertificates = Map.copyOf(clientCertificates);
    }

    /** Algorithms a token may be signed with: asymmetric only, so a public key can never act as an HMAC secret. */
    public static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512");

    /**
     * {@code security.jwt.*}: how bearer tokens are verified.
     *
     * @param jwksFile    JWKS file with the issuer's public keys (re-read when it changes)
     * @param jwksUrl     JWKS URL, instead of the file
     * @param jwksRefresh how often the keys are re-read; an unknown key id also triggers a re-read
     * @param audience    accepted {@code aud} values; a token for any other audience is refused
     * @param clockSkew   tolerance on {@code exp}, {@code nbf} and {@code iat}
     * @param rolesClaim  claim holding the caller's roles; dots reach into objects ({@code realm_access.roles})
     */
    public record JwtSettings(Path jwksFile, URI jwksUrl, Duration jwksRefresh, String issuer, List<String> audience,
                              Duration clockSkew, String rolesClaim) {

        public JwtSettings {
            audience = List.copyOf(audience);
        }

        /** Whether bearer tokens are checked here at all: not when security is on with API keys only. */
        public boolean configured() {
            return jwksFile != null || jwksUrl != null;
        }
    }

    /**
     * One authorization rule: names matching {@code match} ({@code *} any run of characters, {@code ?} one)
     * need every scope in {@code scopes} and, when {@code roles} is not empty, at least one of those roles.
     */
    public record AccessRule(AccessPolicy.Kind kind, String match, Set<String> scopes, Set<String> roles) {

        public AccessRule {
            scopes = Set.copyOf(scopes);
            roles = Set.copyOf(roles);
        }
    }

    /**
     * A caller known by configuration rather than by a token: the stdio client (null scopes/roles there mean
     * "everything the rules name"), or a TLS client certificate's subject.
     */
    public record Identity(String subject, Set<String> scopes, Set<String> roles) {
    }

    /**
     * {@code audit.*}: one JSON line per call and per authentication failure.
     *
     * @param file         the calls' file
     * @param refusalsFile the refused authentications' file: apart, so unauthenticated traffic cannot rotate calls away
     * @param maxFileSize  each file is rotated once it grows past this
     * @param maxFiles     rotated files kept ({@code audit.log.1} … {@code audit.log.N})
     * @param logArguments whether argument values are written (their size always is)
     * @param onFailure    what audited calls do while their records cannot be written
     */
    public record AuditSettings(boolean enabled, Path file, Path refusalsFile, long maxFileSize, int maxFiles,
                                boolean logArguments, OnFailure onFailure) {

        /** {@code audit.on-failure}. */
        public enum OnFailure {
            /** Keep serving; lost records are counted and {@code /health} is down. */
            CONTINUE,
            /** Refuse audited calls (tools/call, resources/read, prompts/get) until records can be written again. */
            REFUSE
        }

        /** The refusals file beside {@code file}, refusing calls on failure. */
        public AuditSettings(boolean enabled, Path file, long maxFileSize, int maxFiles, boolean logArguments) {
            this(enabled, file, refusalsBeside(file), maxFileSize, maxFiles, logArguments, OnFailure.REFUSE);
        }

        /** {@code logs/audit.log} → {@code logs/audit-refusals.log}. */
        public static Path refusalsBeside(Path file) {
            String name = file.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return file.resolveSibling(dot > 0 ? name.substring(0, dot) + "-refusals" + name.substring(dot)
                    : name + "-refusals");
        }
    }

    /**
     * {@code limits.rate.*}: token buckets, in requests per second; zero turns a limit off.
     *
     * @param perPrincipal      refill rate of each principal's bucket
     * @param perPrincipalBurst capacity of each principal's bucket
     * @param global            refill rate of the one bucket every request draws from
     * @param globalBurst       its capacity
     * @param pacedBytesPerSecond how fast a principal is read, in bytes, while it is paced after a refusal of its
     *                          rate (a large message is one request but many bytes)
     * @param perPrincipalBytes      refill rate, in bytes a second, of each principal's byte bucket: what its
     *                               messages may total over all its connections (0: off)
     * @param perPrincipalBytesBurst its capacity, in bytes
     */
    public record RateLimitSettings(int perPrincipal, int perPrincipalBurst, int global, int globalBurst,
                                    int authFailuresPerAddress, int authFailuresBurst, int maxSessionsPerPrincipal,
                                    long pacedBytesPerSecond, long perPrincipalBytes, long perPrincipalBytesBurst) {

        public static final int DEFAULT_AUTH_FAILURES_PER_ADDRESS = 10;
        public static final int DEFAULT_AUTH_FAILURES_BURST = 100;
        public static final int DEFAULT_MAX_SESSIONS_PER_PRINCIPAL = 100;
        public static final long DEFAULT_PACED_BYTES_PER_SECOND = 1L << 20;
        public static final long DEFAULT_BYTES_PER_PRINCIPAL = 0; // off, like the request rates
        public static final long DEFAULT_BYTES_PER_PRINCIPAL_BURST = 64L << 20;
        /** No rate limit, no byte budget. */
        public static final RateLimitSettings OFF = new RateLimitSettings(0, 0, 0, 0, DEFAULT_AUTH_FAILURES_PER_ADDRESS,
                DEFAULT_AUTH_FAILURES_BURST, DEFAULT_MAX_SESSIONS_PER_PRINCIPAL, DEFAULT_PACED_BYTES_PER_SECOND, 0, 0);

        /**
         * These request rates, with the defaults of the rest: refused authentications per address, sessions per
         * principal, the paced and the per-principal byte rates.
         */
        public RateLimitSettings(int perPrincipal, int perPrincipalBurst, int global, int globalBurst) {
            this(perPrincipal, perPrincipalBurst, global, globalBurst, DEFAULT_AUTH_FAILURES_PER_ADDRESS,
                    DEFAULT_AUTH_FAILURES_BURST, DEFAULT_MAX_SESSIONS_PER_PRINCIPAL, DEFAULT_PACED_BYTES_PER_SECOND,
                    DEFAULT_BYTES_PER_PRINCIPAL, DEFAULT_BYTES_PER_PRINCIPAL_BURST);
        }

        /** Whether each principal has a byte budget ({@code limits.rate.per-principal-bytes-per-second}). */
        public boolean bytesPerPrincipal() {
            return perPrincipalBytes > 0;
        }
    }

    static SecuritySettings read(ConfigReader r, Path home) {
        boolean enabled = r.bool("security.enabled");
        String resource = r.string("security.resource");
        if (resource != null && !resource.isBlank()) {
            checkAbsoluteUri(r, "security.resource", resource);
        } else {
            resource = null;
        }
        ApiKeySettings apiKeys = ApiKeySettings.read(r, home);
        JwtSettings jwt = readJwt(r, home, resource, enabled, apiKeys.configured());
        List<String> authorizationServers = r.strings("security.authorization-servers",
                jwt.issuer() == null ? List.of() : List.of(jwt.issuer()));
        List<AccessRule> rules = new ArrayList<>();
        for (AccessPolicy.Kind kind : AccessPolicy.Kind.values()) {
            rules.addAll(readRules(r, kind));
        }
        String policy = r.choice("security.default-policy");
        Map<String, List<String>> implies = new java.util.LinkedHashMap<>();
        r.section("security.scope-implies").asNodeList().orElse(List.of()).forEach(node ->
                implies.put(node.name(), node.isLeaf() ? List.of(node.asString().get().split("[\\s,]+"))
                        : node.asList(String.class).orElse(List.of())));
        Identity stdio = new Identity(
                r.string("transports.stdio.subject", System.getProperty("user.name", "local")),
                r.exists("transports.stdio.scopes") ? Set.copyOf(r.strings("transports.stdio.scopes", List.of())) : null,
                r.exists("transports.stdio.roles") ? Set.copyOf(r.strings("transports.stdio.roles", List.of())) : null);
        Map<String, Identity> certificates = new java.util.LinkedHashMap<>();
        r.section("security.client-certificates").asNodeList().orElse(List.of()).forEach(node ->
                certificates.put(node.name(), new Identity(node.name(), strings(node.get("scopes")),
                        strings(node.get("roles")))));
        return new SecuritySettings(enabled, resource, authorizationServers,
                r.strings("security.scopes-supported", List.of()), jwt, rules, policy.equals("allow"), implies,
                stdio, certificates, readAudit(r, home, enabled), readRateLimits(r), apiKeys);
    }

    private static Set<String> strings(io.helidon.config.Config node) {
        if (!node.exists()) {
            return Set.of();
        }
        List<String> values = node.isLeaf() ? List.of(node.asString().orElse("").split("[\\s,]+"))
                : node.asList(String.class).orElse(List.of());
        return Set.copyOf(values.stream().filter(v -> !v.isBlank()).toList());
    }

    /** @param apiKeys whether API keys are configured: then bearer tokens are optional (set all of jwt.* or none) */
    private static JwtSettings readJwt(ConfigReader r, Path home, String resource, boolean enabled, boolean apiKeys) {
        Path file = r.path("security.jwt.jwks-file", home);
        String url = r.string("security.jwt.jwks-url");
        URI jwksUrl = null;
        if (url != null && !url.isBlank()) {
            jwksUrl = checkAbsoluteUri(r, "security.jwt.jwks-url", url);
        }
        String issuer = r.string("security.jwt.issuer");
        List<String> audience = r.strings("security.jwt.audience", resource == null ? List.of() : List.of(resource));
        JwtSettings jwt = new JwtSettings(file, jwksUrl, r.duration("security.jwt.jwks-refresh"),
                issuer == null || issuer.isBlank() ? null : issuer, audience,
                r.duration("security.jwt.clock-skew"),
                r.string("security.jwt.roles-claim"));
        if (!enabled || (apiKeys && !jwt.configured() && jwt.issuer() == null)) {
            return jwt;
        }
        if ((file == null) == (jwksUrl == null)) {
            r.problem("security.jwt", "security is enabled: set exactly one of jwks-file and jwks-url");
        } else if (file != null && !Files.isReadable(file)) {
            r.problem("security.jwt.jwks-file", "file " + file + " does not exist or is not readable");
        }
        if (jwt.issuer() == null) {
            r.problem("security.jwt.issuer", "security is enabled: set the issuer ('iss') tokens must carry");
        }
        if (audience.isEmpty()) {
            r.problem("security.jwt.audience", "security is enabled: set the audience tokens must be issued for "
                    + "(or security.resource, which is the default audience)");
        }
        if (jwt.clockSkew().compareTo(Duration.ofMinutes(5)) > 0) {
            r.problem("security.jwt.clock-skew", "at most 5m: a larger skew keeps expired tokens alive");
        }
        return jwt;
    }

    private static List<AccessRule> readRules(ConfigReader r, AccessPolicy.Kind kind) {
        String key = "security.rules." + switch (kind) {
            case TOOL -> "tools";
            case RESOURCE -> "resources";
            case PROMPT -> "prompts";
        };
        List<AccessRule> rules = new ArrayList<>();
        int count = r.section(key).asNodeList().map(List::size).orElse(0);
        for (int i = 0; i < count; i++) {
            String at = key + "." + i;
            String match = r.string(at + ".match", null);
            if (match == null || match.isBlank()) {
                r.problem(at + ".match", "every rule needs a name pattern to match (e.g. \"fs_*\")");
                continue;
            }
            rules.add(new AccessRule(kind, match, new LinkedHashSet<>(r.strings(at + ".scopes", List.of())),
                    new LinkedHashSet<>(r.strings(at + ".roles", List.of()))));
        }
        return rules;
    }

    private static AuditSettings readAudit(ConfigReader r, Path home, boolean securityEnabled) {
        Path file = r.path("audit.file", home);
        String onFailure = r.choice("audit.on-failure");
        if (!onFailure.equals("refuse") && !onFailure.equals("continue")) {
            r.problem("audit.on-failure", "must be refuse or continue, was '" + onFailure + "'");
        }
        Path refusals = r.path("audit.refusals-file", home, AuditSettings.refusalsBeside(file));
        if (refusals.toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())) {
            r.problem("audit.refusals-file", "must not be audit.file: refused authentications would rotate the "
                    + "records of calls away");
        }
        return new AuditSettings(
                r.bool("audit.enabled", securityEnabled),
                file, refusals,
                r.size("audit.max-file-size"),
                r.integer("audit.max-files"),
                r.bool("audit.log-arguments"),
                onFailure.equals("continue") ? AuditSettings.OnFailure.CONTINUE : AuditSettings.OnFailure.REFUSE);
    }

    private static RateLimitSettings readRateLimits(ConfigReader r) {
        int perPrincipal = r.integer("limits.rate.per-principal");
        int global = r.integer("limits.rate.global");
        int authFailures = r.integer("limits.rate.auth-failures-per-address");
        RateLimitSettings limits = new RateLimitSettings(perPrincipal,
                r.integer("limits.rate.per-principal-burst", 2 * perPrincipal),
                global,
                r.integer("limits.rate.global-burst", 2 * global),
                authFailures,
                r.integer("limits.rate.auth-failures-burst"),
                r.integer("limits.max-sessions-per-principal"),
                r.size("limits.rate.paced-bytes-per-second"),
                r.sizeOrOff("limits.rate.per-principal-bytes-per-second"),
                r.size("limits.rate.per-principal-bytes-burst"));
        if (perPrincipal > 0 && limits.perPrincipalBurst() < 1) {
            r.problem("limits.rate.per-principal-burst", "must be at least 1 while limits.rate.per-principal is on");
        }
        if (limits.bytesPerPrincipal() && limits.perPrincipalBytesBurst() < 1) {
            r.problem("limits.rate.per-principal-bytes-burst",
                    "must be at least 1 byte while limits.rate.per-principal-bytes-per-second is on");
        }
        if (global > 0 && limits.globalBurst() < 1) {
            r.problem("limits.rate.global-burst", "must be at least 1 while limits.rate.global is on");
        }
        return limits;
    }

    private static URI checkAbsoluteUri(ConfigReader r, String key, String value) {
        try {
            URI uri = new URI(value.trim());
            if (!uri.isAbsolute() || uri.getHost() == null || uri.getFragment() != null) {
                r.problem(key, "must be an absolute http(s) URI without a fragment, was '" + value + "'");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            r.problem(key, "is not a URI: " + e.getMessage());
            return null;
        }
    }
}
