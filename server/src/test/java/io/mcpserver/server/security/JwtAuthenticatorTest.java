package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.config.SecuritySettings.JwtSettings;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.security.AuthFailure.Reason;
import io.mcpserver.spi.Caller;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real RS256/ES256 tokens, signed here, verified against a JWKS file the way the server reads it. */
class JwtAuthenticatorTest {

    private static TestTokens tokens;

    @TempDir
    Path dir;
    private Path jwksFile;
    private MutableClock clock;
    private JwtAuthenticator authenticator;

    @BeforeAll
    static void keys() throws Exception {
        tokens = new TestTokens();
    }

    @BeforeEach
    void setUp() throws Exception {
        jwksFile = tokens.writeJwks(dir.resolve("jwks.json"));
        clock = new MutableClock();
        authenticator = JwtAuthenticator.create(settings("realm_access.roles"), clock);
    }

    private JwtSettings settings(String rolesClaim) {
        return new JwtSettings(jwksFile, null, Duration.ofMinutes(10), TestTokens.ISSUER, List.of(TestTokens.AUDIENCE),
                Duration.ofSeconds(30), rolesClaim);
    }

    private Caller accepted(String token) {
        AuthResult result = authenticator.authenticate(token);
        return assertInstanceOf(AuthResult.Authenticated.class, result, () -> "refused: " + result).caller();
    }

    private AuthFailure refused(String token, Reason reason) {
        AuthResult result = authenticator.authenticate(token);
        AuthFailure failure = assertInstanceOf(AuthFailure.class, result, "accepted a token that should be refused");
        assertEquals(reason, failure.reason(), failure.description());
        assertEquals(401, failure.httpStatus());
        return failure;
    }

    @Test
    void validRs256TokenGivesTheSubjectScopesAndRoles() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", "files:read files:write");
        claims.putObject("realm_access").putArray("roles").add("admin").add("ops");
        Caller caller = accepted(tokens.rs256(claims));
        assertEquals("alice", caller.subject());
        assertEquals(Set.of("files:read", "files:write"), caller.scopes());
        assertEquals(Set.of("admin", "ops"), caller.roles());
    }

    /** Outside testing: "a,b" was read as two scopes; RFC 6749 §3.3 delimits scopes with spaces only. */
    @Test
    void scopeIsSplitOnSpacesOnly() throws Exception {
        Caller caller = accepted(tokens.rs256(TestTokens.claims("alice", "files:read,files:write tools:call")));
        assertEquals(Set.of("files:read,files:write", "tools:call"), caller.scopes());
    }

    /** Outside testing: a 2.9 MB kid was echoed whole into the refusal (and from there into the audit trail). */
    @Test
    void aHugeOrHostileKidIsNotEchoedWhole() throws Exception {
        String kid = "\"\u0000\n" + "k".repeat(100_000);
        AuthFailure failure = refused(TestTokens.sign("RS256", kid, TestTokens.claims("alice", null), "SHA256withRSA",
                tokens.rsa.getPrivate()), Reason.UNKNOWN_KEY);
        assertTrue(failure.description().length() < 300, failure.description());
        assertTrue(failure.description().contains("''??kkk"), failure.description());
        assertTrue(failure.description().contains("(100003 chars)"), failure.description());
    }

    @Test
    void validEs256TokenWithScpArray() throws Exception {
        ObjectNode claims = TestTokens.claims("bob", null);
        claims.putArray("scp").add("tools:call");
        Caller caller = accepted(tokens.es256(claims));
        assertEquals("bob", caller.subject());
        assertEquals(Set.of("tools:call"), caller.scopes());
        assertTrue(caller.roles().isEmpty());
    }

    @Test
    void audienceMayBeAListContainingOurs() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", null);
        claims.putArray("aud").add("https://other.example").add(TestTokens.AUDIENCE);
        accepted(tokens.rs256(claims));
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", null);
        long past = Instant.now().getEpochSecond() - 3600;
        claims.put("iat", past - 300).put("nbf", past - 300).put("exp", past);
        AuthFailure f = refused(tokens.rs256(claims), Reason.EXPIRED);
        assertTrue(f.wwwAuthenticate("https://x/.well-known/oauth-protected-resource")
                .startsWith("Bearer error=\"invalid_token\""), f.wwwAuthenticate("u"));
    }

    @Test
    void expiryWithinTheClockSkewIsTolerated() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", null);
        long now = Instant.now().getEpochSecond();
        claims.put("iat", now - 300).put("nbf", now - 300).put("exp", now - 10);
        accepted(tokens.rs256(claims));
        clock.advance(Duration.ofSeconds(25));
        refused(tokens.rs256(claims), Reason.EXPIRED);
    }

    @Test
    void tokenWithoutExpiryIsRefused() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", null);
        claims.remove("exp");
        refused(tokens.rs256(claims), Reason.EXPIRED);
    }

    @Test
    void notYetValidTokenIsRefused() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", null);
        claims.put("nbf", Instant.now().getEpochSecond() + 600);
        refused(tokens.rs256(claims), Reason.NOT_YET_VALID);
    }

    @Test
    void tokenForAnotherAudienceIsRefused() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", null);
        claims.put("aud", "https://another-server.example/mcp");
        refused(tokens.rs256(claims), Reason.WRONG_AUDIENCE);
        claims.remove("aud");
        refused(tokens.rs256(claims), Reason.WRONG_AUDIENCE);
    }

    @Test
    void tokenFromAnotherIssuerIsRefused() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", null);
        claims.put("iss", "https://evil.example");
        refused(tokens.rs256(claims), Reason.WRONG_ISSUER);
    }

    @Test
    void badSignatureIsRefused() throws Exception {
        refused(tokens.forgedRs256(TestTokens.claims("alice", null)), Reason.BAD_SIGNATURE);
        // a valid token whose payload was swapped after signing
        String good = tokens.rs256(TestTokens.claims("alice", null));
        String[] parts = good.split("\\.");
        String tampered = parts[0] + "." + TestTokens.b64(Json.writeBytes(TestTokens.claims("mallory", "admin"))) + "." + parts[2];
        refused(tampered, Reason.BAD_SIGNATURE);
    }

    @Test
    void algNoneIsRefusedWithOrWithoutKid() {
        ObjectNode claims = TestTokens.claims("alice", null);
        refused(TestTokens.unsigned(null, claims), Reason.UNSUPPORTED_ALGORITHM);
        refused(TestTokens.unsigned("rsa-1", claims), Reason.UNSUPPORTED_ALGORITHM);
    }

    @Test
    void hmacWithThePublicKeyAsSecretIsRefused() throws Exception {
        refused(tokens.hs256WithPublicKey(TestTokens.claims("alice", null)), Reason.UNSUPPORTED_ALGORITHM);
    }

    @Test
    void missingTokenGetsAChallengeWithoutAnErrorCode() {
        AuthFailure f = refused(null, Reason.MISSING_TOKEN);
        refused("  ", Reason.MISSING_TOKEN);
        assertEquals("Bearer resource_metadata=\"https://mcp.test/.well-known/oauth-protected-resource/mcp\"",
                f.wwwAuthenticate("https://mcp.test/.well-known/oauth-protected-resource/mcp"));
    }

    @Test
    void garbageIsMalformed() {
        refused("not-a-jwt", Reason.MALFORMED_TOKEN);
        refused("a.b.c", Reason.MALFORMED_TOKEN);
    }

    @Test
    void tokenWithoutSubjectIsRefused() throws Exception {
        ObjectNode claims = TestTokens.claims("alice", null);
        claims.remove("sub");
        refused(tokens.rs256(claims), Reason.NO_SUBJECT);
    }

    @Test
    void tokenWithoutKidUsesTheOnlyKeyOfItsAlgorithm() throws Exception {
        String token = TestTokens.sign("ES256", null, TestTokens.claims("carol", null), "SHA256withECDSAinP1363Format",
                tokens.ec.getPrivate());
        assertEquals("carol", accepted(token).subject());
    }

    @Test
    void aKeyRotatedIntoTheJwksIsPickedUpWhenATokenNamesIt() throws Exception {
        String token = TestTokens.sign("RS256", "rsa-2", TestTokens.claims("dave", null), "SHA256withRSA",
                tokens.otherRsa.getPrivate());
        refused(token, Reason.UNKNOWN_KEY);
        ObjectNode jwks = tokens.jwks();
        ((com.fasterxml.jackson.databind.node.ArrayNode) jwks.get("keys"))
                .add(TestTokens.rsaJwk("rsa-2", (RSAPublicKey) tokens.otherRsa.getPublic()));
        Files.writeString(jwksFile, Json.write(jwks));
        refused(token, Reason.UNKNOWN_KEY); // re-read at most once per 30 s, whatever tokens claim
        clock.advance(JwksSource.MIN_RELOAD_INTERVAL.plusSeconds(1));
        assertEquals("dave", accepted(token).subject());
    }

    /** Refreshed every minute: what the periodic re-read does, on the test's clock. */
    private JwtAuthenticator refreshedEveryMinute() throws Exception {
        return JwtAuthenticator.create(new JwtSettings(jwksFile, null, Duration.ofMinutes(1), TestTokens.ISSUER,
                List.of(TestTokens.AUDIENCE), Duration.ofSeconds(30), "roles"), clock);
    }

    @Test
    void aKeyRemovedFromTheJwksStopsWorkingAtTheNextPeriodicRefresh() throws Exception {
        JwtAuthenticator auth = refreshedEveryMinute();
        String token = tokens.rs256(TestTokens.claims("erin", null)); // key rsa-1
        assertInstanceOf(AuthResult.Authenticated.class, auth.authenticate(token));
        ObjectNode jwks = tokens.jwks();
        ((com.fasterxml.jackson.databind.node.ArrayNode) jwks.get("keys"))
                .removeIf(k -> k.path("kid").asText().equals("rsa-1")); // the issuer retires rsa-1
        Files.writeString(jwksFile, Json.write(jwks));
        assertInstanceOf(AuthResult.Authenticated.class, auth.authenticate(token), "the keys read a moment ago hold");
        clock.advance(Duration.ofSeconds(61));
        AuthResult after = auth.authenticate(token);
        AuthFailure failure = assertInstanceOf(AuthFailure.class, after, "a retired key must stop working: " + after);
        assertEquals(Reason.UNKNOWN_KEY, failure.reason(), failure.description());
        assertInstanceOf(AuthResult.Authenticated.class, auth.authenticate(tokens.es256(TestTokens.claims("erin", null))),
                "the keys still published go on working");
    }

    @Test
    void aFailedRefreshKeepsTheKeysWeHad() throws Exception {
        JwtAuthenticator auth = refreshedEveryMinute();
        String token = tokens.rs256(TestTokens.claims("fred", null));
        Files.writeString(jwksFile, "{ this is not a JWKS");
        clock.advance(Duration.ofSeconds(61));
        assertInstanceOf(AuthResult.Authenticated.class, auth.authenticate(token), "a broken file must not lock everyone out");
        Files.delete(jwksFile);
        clock.advance(Duration.ofSeconds(61));
        assertInstanceOf(AuthResult.Authenticated.class, auth.authenticate(token), "nor a missing one");
    }

    @Test
    void keysComeFromAJwksUrlAndAreReFetchedForAnUnknownKid() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> served = new java.util.concurrent.atomic.AtomicReference<>(
                Json.write(tokens.jwks()));
        java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer issuer = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        issuer.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            byte[] body = served.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        issuer.start();
        try {
            java.net.URI url = java.net.URI.create("http://127.0.0.1:" + issuer.getAddress().getPort() + "/jwks");
            JwtAuthenticator fromUrl = JwtAuthenticator.create(new JwtSettings(null, url, Duration.ofMinutes(10),
                    TestTokens.ISSUER, List.of(TestTokens.AUDIENCE), Duration.ofSeconds(30), "roles"), clock);
            assertInstanceOf(AuthResult.Authenticated.class, fromUrl.authenticate(tokens.es256(TestTokens.claims("u", null))));
            assertEquals(1, fetches.get(), "fetched once at startup, not per token");

            String rotated = TestTokens.sign("RS256", "rsa-2", TestTokens.claims("v", null), "SHA256withRSA",
                    tokens.otherRsa.getPrivate());
            ObjectNode jwks = tokens.jwks();
            ((com.fasterxml.jackson.databind.node.ArrayNode) jwks.get("keys"))
                    .add(TestTokens.rsaJwk("rsa-2", (RSAPublicKey) tokens.otherRsa.getPublic()));
            served.set(Json.write(jwks));
            clock.advance(JwksSource.MIN_RELOAD_INTERVAL.plusSeconds(1));
            assertInstanceOf(AuthResult.Authenticated.class, fromUrl.authenticate(rotated));
            assertEquals(2, fetches.get());
        } finally {
            issuer.stop(0);
        }
    }

    @Test
    void symmetricKeysInTheJwksAreIgnored() throws Exception {
        ObjectNode jwks = Json.object();
        jwks.putArray("keys").addObject().put("kty", "oct").put("kid", "hmac").put("alg", "HS256")
                .put("k", TestTokens.b64("secret-secret-secret-secret-32b!".getBytes()));
        Files.writeString(jwksFile, Json.write(jwks));
        assertTrue(JwksSource.parse(Files.readAllBytes(jwksFile)).isEmpty());
    }

    @Test
    void aMissingJwksFileStopsStartup() {
        JwtSettings s = new JwtSettings(dir.resolve("absent.json"), null, Duration.ofMinutes(10), TestTokens.ISSUER,
                List.of(TestTokens.AUDIENCE), Duration.ofSeconds(30), "roles");
        var e = assertThrows(java.io.IOException.class, () -> JwtAuthenticator.create(s, clock));
        assertTrue(e.getMessage().contains("absent.json"), e.getMessage());
    }

    @Test
    void bearerHeaderParsing() {
        assertEquals("abc", Authenticator.bearerToken("Bearer abc"));
        assertEquals("abc", Authenticator.bearerToken("bearer   abc "));
        assertEquals(null, Authenticator.bearerToken("Basic abc"));
        assertEquals(null, Authenticator.bearerToken("Bearer "));
        assertEquals(null, Authenticator.bearerToken(null));
        assertFalse(new AuthFailure(Reason.EXPIRED, "x \"quoted\"").wwwAuthenticate("u").contains("\"quoted\""));
    }

    /** Issue 12, Low list: a plain-http JWKS URL on another host is accepted, but never silently. */
    @Test
    void aPlainHttpJwksUrlIsAcceptedWithAWarning() throws Exception {
        assertTrue(jwksUrlWarnings("http://jwks.invalid/keys").stream().anyMatch(line ->
                line.contains("security.jwt.jwks-url") && line.contains("plain http")), "warned");
        assertTrue(jwksUrlWarnings("https://jwks.invalid/keys").stream().noneMatch(line ->
                line.contains("plain http")), "https is not warned about");
    }

    /** The WARNING lines the authenticator logs while it is created for {@code url} (the host never resolves). */
    private List<String> jwksUrlWarnings(String url) throws Exception {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    lines.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(JwtAuthenticator.class.getName());
        logger.addHandler(capture);
        try {
            JwtAuthenticator.create(new JwtSettings(null, java.net.URI.create(url), Duration.ofMinutes(10),
                    TestTokens.ISSUER, List.of(TestTokens.AUDIENCE), Duration.ofSeconds(30), "roles"), clock);
        } finally {
            logger.removeHandler(capture);
        }
        return lines;
    }
}
