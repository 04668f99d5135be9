package io.mcpserver.server.security;

import io.helidon.common.Errors;
import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.JwtHeaders;
import io.helidon.security.jwt.JwtValidator;
import io.helidon.security.jwt.SignedJwt;
import io.helidon.security.jwt.jwk.Jwk;
import io.mcpserver.server.config.SecuritySettings;
import io.mcpserver.server.protocol.ClientText;
import io.mcpserver.server.security.AuthFailure.Reason;
import io.mcpserver.spi.Caller;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Verifies OAuth 2.1 access tokens that are signed JWTs (RFC 9068), with Helidon Security's JWT support:
 * the signature against the issuer's JWKS (RS256/384/512, ES256/384/512 only), then {@code exp}/{@code nbf}/
 * {@code iat} within the clock skew, {@code iss}, and {@code aud} (RFC 8707: a token issued for another resource
 * is refused). The caller's scopes come from {@code scope} (space-separated) or {@code scp}, roles from the
 * configured claim.
 */
public final class JwtAuthenticator implements Authenticator {

    private final SecuritySettings.JwtSettings settings;
    private final JwksSource jwks;
    private final Clock clock;

    JwtAuthenticator(SecuritySettings.JwtSettings settings, JwksSource jwks, Clock clock) {
        this.settings = settings;
        this.jwks = jwks;
        this.clock = clock;
    }

    /** Reads the keys at once, so that a missing or broken JWKS file stops the server at startup. */
    public static JwtAuthenticator create(SecuritySettings.JwtSettings settings, Clock clock) throws IOException {
        JwksSource source = new JwksSource(settings.jwksFile(), settings.jwksUrl(), settings.jwksRefresh(), clock);
        try {
            source.loadNow();
        } catch (IOException e) {
            if (settings.jwksFile() != null) {
                throw new IOException("cannot read the JWKS file " + settings.jwksFile() + ": " + e.getMessage(), e);
            }
            // An issuer that is down at our startup should not keep us down: every token is refused until it is back.
            System.getLogger(JwtAuthenticator.class.getName()).log(System.Logger.Level.WARNING, "Cannot fetch the JWKS from "
                    + settings.jwksUrl() + " (" + e.getMessage() + "); tokens are refused until it can be fetched");
        }
        URI url = settings.jwksUrl();
        if (url != null && "http".equalsIgnoreCase(url.getScheme()) && !ServerSecurity.isLoopback(url.getHost())) {
            System.getLogger(JwtAuthenticator.class.getName()).log(System.Logger.Level.WARNING, "security.jwt.jwks-url "
                    + url + " is plain http: whoever can alter that traffic can substitute the keys and mint tokens "
                    + "this server accepts; use https");
        }
        return new JwtAuthenticator(settings, source, clock);
    }

    @Override
    public AuthResult authenticate(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            return new AuthFailure(Reason.MISSING_TOKEN, "a bearer token is required");
        }
        SignedJwt signed;
        Jwt jwt;
        try {
            signed = SignedJwt.parseToken(bearerToken.strip());
            jwt = signed.getJwt();
        } catch (RuntimeException e) {
            return new AuthFailure(Reason.MALFORMED_TOKEN, "the token is not a well-formed signed JWT");
        }
        JwtHeaders headers = jwt.headers();
        String alg = headers.algorithm().orElse("none");
        if (!SecuritySettings.ALGORITHMS.contains(alg)) {
            return new AuthFailure(Reason.UNSUPPORTED_ALGORITHM, "tokens signed with '" + ClientText.shown(alg)
                    + "' are not accepted; use one of " + new TreeSet<>(SecuritySettings.ALGORITHMS));
        }
        if (headers.critical().isPresent()) {
            return new AuthFailure(Reason.MALFORMED_TOKEN, "the token has critical header extensions this server does not know");
        }
        String kid = headers.keyId().orElse(null);
        Optional<Jwk> key = select(jwks.keys(), kid, alg);
        if (key.isEmpty()) {
            key = select(jwks.keysAfterUnknownKey(), kid, alg);
        }
        if (key.isEmpty()) {
            return new AuthFailure(jwks.keys().isEmpty() ? Reason.KEYS_UNAVAILABLE : Reason.UNKNOWN_KEY,
                    kid == null ? "the token names no key id ('kid') and no single " + alg + " key of the issuer matches"
                            : "no " + alg + " key with id '" + ClientText.shown(kid) + "' among the issuer's keys");
        }
        boolean valid;
        try {
            valid = key.get().verifySignature(signed.getSignedBytes(), signed.getSignature());
        } catch (RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            return new AuthFailure(Reason.BAD_SIGNATURE, "the token's signature is not valid");
        }
        return validateClaims(jwt);
    }

    /** The key with that id (whose algorithm must be the token's), or without an id the one key for that algorithm. */
    private static Optional<Jwk> select(List<Jwk> keys, String kid, String alg) {
        if (kid != null) {
            return keys.stream().filter(k -> kid.equals(k.keyId()) && alg.equals(k.algorithm())).findFirst();
        }
        List<Jwk> candidates = keys.stream().filter(k -> alg.equals(k.algorithm())).toList();
        return candidates.size() == 1 ? Optional.of(candidates.getFirst()) : Optional.empty();
    }

    private AuthResult validateClaims(Jwt jwt) {
        Instant now = clock.instant();
        if (invalid(jwt, b -> b.addExpirationValidator(v -> v.now(now).allowedTimeSkew(settings.clockSkew()).mandatory(true)))) {
            return new AuthFailure(Reason.EXPIRED, jwt.expirationTime().isEmpty() ? "the token has no expiry ('exp')"
                    : "the token expired at " + jwt.expirationTime().get());
        }
        if (invalid(jwt, b -> b.addNotBeforeValidator(v -> v.now(now).allowedTimeSkew(settings.clockSkew()))
                .addIssueTimeValidator(v -> v.now(now).allowedTimeSkew(settings.clockSkew())))) {
            return new AuthFailure(Reason.NOT_YET_VALID, "the token is not valid yet");
        }
        if (invalid(jwt, b -> b.addIssuerValidator(settings.issuer(), true))) {
            return new AuthFailure(Reason.WRONG_ISSUER, "the token was not issued by " + settings.issuer());
        }
        if (invalid(jwt, b -> b.addAudienceValidator(Set.copyOf(settings.audience())))) {
            return new AuthFailure(Reason.WRONG_AUDIENCE, "the token was not issued for this server (audience "
                    + settings.audience() + ")");
        }
        String subject = jwt.subject().orElse(null);
        if (subject == null || subject.isBlank()) {
            return new AuthFailure(Reason.NO_SUBJECT, "the token has no subject ('sub')");
        }
        JsonObject payload = jwt.payloadJson();
        // RFC 9068 §2.2.3 / RFC 6749 §3.3: scope is space-delimited; a comma is part of a scope token
        Set<String> scopes = new LinkedHashSet<>(strings(payload.get("scope"), "\\s+"));
        scopes.addAll(strings(payload.get("scp"), "\\s+"));
        Set<String> roles = new LinkedHashSet<>(strings(claim(payload, settings.rolesClaim()), "[\\s,]+"));
        return new AuthResult.Authenticated(Caller.builder(subject).scopes(scopes).roles(roles).build());
    }

    private static boolean invalid(Jwt jwt, Consumer<JwtValidator.Builder> validators) {
        JwtValidator.Builder builder = JwtValidator.builder();
        validators.accept(builder);
        Errors errors = builder.build().validate(jwt);
        return !errors.isValid();
    }

    /** A claim by dotted path: {@code realm_access.roles} is the {@code roles} member of the {@code realm_access} object. */
    private static JsonValue claim(JsonObject payload, String path) {
        JsonValue current = payload;
        for (String part : path.split("\\.")) {
            if (current == null || current.getValueType() != JsonValue.ValueType.OBJECT) {
                return null;
            }
            current = current.asJsonObject().get(part);
        }
        return current;
    }

    /** A string claim split by {@code separators}, or an array of strings; anything else is nothing. */
    private static List<String> strings(JsonValue value, String separators) {
        if (value instanceof JsonString s) {
            return List.of(s.getString().trim().split(separators)).stream().filter(v -> !v.isEmpty()).toList();
        }
        if (value instanceof JsonArray array) {
            return array.stream().filter(JsonString.class::isInstance).map(v -> ((JsonString) v).getString()).toList();
        }
        return List.of();
    }
}
