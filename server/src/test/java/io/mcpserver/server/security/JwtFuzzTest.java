package io.mcpserver.server.security;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mcpserver.server.config.SecuritySettings.JwtSettings;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The bearer-token parser before and after the signature check. An input is raw token text (header and payload
 * parsing, algorithm and key selection), or, when it starts with <code>{</code>, a header JSON and a claims JSON on
 * two lines that the test signs with the issuer's real key, so the claim checks (audience, times, roles and scope
 * shapes) are reached too. Property:
 * {@link JwtAuthenticator#authenticate} returns a result with a reason, never throws, and accepts only a token that
 * was signed with the issuer's key.
 */
class JwtFuzzTest {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final TestTokens TOKENS;
    private static final JwtAuthenticator AUTHENTICATOR;

    static {
        try {
            TOKENS = new TestTokens();
            Path jwks = TOKENS.writeJwks(Files.createTempFile("fuzz-jwks", ".json"));
            jwks.toFile().deleteOnExit();
            AUTHENTICATOR = JwtAuthenticator.create(new JwtSettings(jwks, null, Duration.ofMinutes(10),
                    TestTokens.ISSUER, List.of(TestTokens.AUDIENCE), Duration.ofSeconds(30), "realm_access.roles"),
                    Clock.systemUTC());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest
    void token(byte[] bytes) throws Exception {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        boolean signed = text.startsWith("{") && newline > 0;
        String token;
        if (signed) {
            String header = text.substring(0, newline);
            String claims = text.substring(newline + 1);
            String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                    + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            token = input + "." + B64.encodeToString(rs256(input, TOKENS.rsa.getPrivate()));
        } else {
            token = text;
        }
        AuthResult result = AUTHENTICATOR.authenticate(token);
        switch (result) {
            case AuthFailure failure -> {
                if (failure.reason() == null || failure.description() == null || failure.description().isBlank()) {
                    throw new AssertionError("a refusal without a reason: " + failure);
                }
                // the refusal goes back in a header: nothing from the token may break out of it
                String challenge = failure.wwwAuthenticate("https://mcp.test/.well-known/oauth-protected-resource");
                if (challenge.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c > 0x7e)) {
                    throw new AssertionError("a control or non-ASCII character in WWW-Authenticate: " + challenge);
                }
                failure.toMcpException();
            }
            case AuthResult.Authenticated accepted -> {
                if (!signed) {
                    throw new AssertionError("accepted a token not signed by the test: " + token);
                }
            }
        }
    }

    private static byte[] rs256(String input, PrivateKey key) throws Exception {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return s.sign();
    }
}
