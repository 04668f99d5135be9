package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;

/**
 * An issuer for end-to-end tests, made with the JDK alone: an RSA key pair whose public half is written as a
 * JWKS for the server, and RS256 access tokens signed with it, good or broken in every way a server must notice.
 * This is also how docs/security.md suggests minting a test token.
 */
final class TestJwt {

    static final String ISSUER = "https://issuer.e2e.test";
    static final String AUDIENCE = "https://mcp.e2e.test/mcp";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair key;
    private final KeyPair stranger;

    TestJwt() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        key = gen.generateKeyPair();
        stranger = gen.generateKeyPair();
    }

    /** Writes the JWKS (the public key, kid {@code e2e-1}) and returns its path. */
    Path writeJwks(Path file) throws java.io.IOException {
        RSAPublicKey pub = (RSAPublicKey) key.getPublic();
        ObjectNode jwks = JSON.createObjectNode();
        ArrayNode keys = jwks.putArray("keys");
        keys.addObject().put("kty", "RSA").put("kid", "e2e-1").put("use", "sig").put("alg", "RS256")
                .put("n", b64(unsigned(pub.getModulus()))).put("e", b64(unsigned(pub.getPublicExponent())));
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writeValueAsString(jwks));
        return file;
    }

    static ObjectNode claims(String subject, String scope) {
        long now = Instant.now().getEpochSecond();
        ObjectNode c = JSON.createObjectNode();
        c.put("iss", ISSUER).put("sub", subject).put("aud", AUDIENCE).put("iat", now).put("exp", now + 600);
        if (scope != null) {
            c.put("scope", scope);
        }
        return c;
    }

    String token(String subject, String scope) throws Exception {
        return sign(claims(subject, scope), key.getPrivate());
    }

    /** The tokens a server must refuse, by name; {@code missing} is absent (no token at all). */
    Map<String, String> badTokens() throws Exception {
        long past = Instant.now().getEpochSecond() - 3600;
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("expired", sign(claims("alice", null).put("iat", past - 60).put("exp", past), key.getPrivate()));
        bad.put("wrong_audience", sign(claims("alice", null).put("aud", "https://elsewhere.test/mcp"), key.getPrivate()));
        bad.put("wrong_issuer", sign(claims("alice", null).put("iss", "https://evil.test"), key.getPrivate()));
        bad.put("bad_signature", sign(claims("alice", null), stranger.getPrivate()));
        bad.put("alg_none", header("none") + "." + b64(JSON.writeValueAsBytes(claims("alice", null))) + ".");
        return bad;
    }

    private static String sign(ObjectNode claims, PrivateKey with) throws Exception {
        String input = header("RS256") + "." + b64(JSON.writeValueAsBytes(claims));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(with);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64(s.sign());
    }

    private static String header(String alg) throws Exception {
        return b64(JSON.writeValueAsBytes(JSON.createObjectNode().put("alg", alg).put("typ", "JWT").put("kid", "e2e-1")));
    }

    private static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] bytes = n.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
