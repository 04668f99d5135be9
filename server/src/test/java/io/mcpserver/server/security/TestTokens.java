package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Real keys and real signed JWTs for tests, made with the JDK alone: an RSA and an EC (P-256) key pair,
 * their JWKS, and tokens signed with them (or deliberately broken).
 */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.test";
    public static final String AUDIENCE = "https://mcp.test/mcp";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    final KeyPair rsa;
    final KeyPair ec;
    final KeyPair otherRsa;

    public TestTokens() throws GeneralSecurityException {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        otherRsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGen.generateKeyPair();
    }

    /** The public keys as a JWKS: {@code rsa-1} (RS256) and {@code ec-1} (ES256). */
    ObjectNode jwks() {
        ObjectNode doc = Json.object();
        ArrayNode keys = doc.putArray("keys");
        keys.add(rsaJwk("rsa-1", (RSAPublicKey) rsa.getPublic()));
        keys.add(ecJwk("ec-1", (ECPublicKey) ec.getPublic()));
        return doc;
    }

    public Path writeJwks(Path file) throws java.io.IOException {
        Files.writeString(file, Json.write(jwks()));
        return file;
    }

    static ObjectNode rsaJwk(String kid, RSAPublicKey key) {
        ObjectNode k = Json.object();
        k.put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256");
        k.put("n", b64(unsigned(key.getModulus()))).put("e", b64(unsigned(key.getPublicExponent())));
        return k;
    }

    static ObjectNode ecJwk(String kid, ECPublicKey key) {
        ObjectNode k = Json.object();
        k.put("kty", "EC").put("kid", kid).put("use", "sig").put("alg", "ES256").put("crv", "P-256");
        k.put("x", b64(fixed(key.getW().getAffineX(), 32))).put("y", b64(fixed(key.getW().getAffineY(), 32)));
        return k;
    }

    /** Standard claims of a valid token for {@code sub}, valid for five minutes. */
    public static ObjectNode claims(String subject, String scope) {
        long now = Instant.now().getEpochSecond();
        ObjectNode c = Json.object();
        c.put("iss", ISSUER).put("sub", subject).put("aud", AUDIENCE).put("iat", now).put("nbf", now).put("exp", now + 300);
        if (scope != null) {
            c.put("scope", scope);
        }
        return c;
    }

    public String rs256(ObjectNode claims) throws GeneralSecurityException {
        return sign("RS256", "rsa-1", claims, "SHA256withRSA", rsa.getPrivate());
    }

    String es256(ObjectNode claims) throws GeneralSecurityException {
        return sign("ES256", "ec-1", claims, "SHA256withECDSAinP1363Format", ec.getPrivate());
    }

    /** Claims the kid of our RSA key but is signed with a different RSA key. */
    String forgedRs256(ObjectNode claims) throws GeneralSecurityException {
        return sign("RS256", "rsa-1", claims, "SHA256withRSA", otherRsa.getPrivate());
    }

    static String sign(String alg, String kid, ObjectNode claims, String javaAlg, PrivateKey key)
            throws GeneralSecurityException {
        String input = header(alg, kid) + "." + b64(Json.writeBytes(claims));
        Signature s = Signature.getInstance(javaAlg);
        s.initSign(key);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64(s.sign());
    }

    /** {@code alg: none}: no signature at all. */
    static String unsigned(String kid, ObjectNode claims) {
        return header("none", kid) + "." + b64(Json.writeBytes(claims)) + ".";
    }

    /** The classic algorithm-confusion attack: HS256 with the public key's bytes as the HMAC secret. */
    String hs256WithPublicKey(ObjectNode claims) throws GeneralSecurityException {
        String input = header("HS256", "rsa-1") + "." + b64(Json.writeBytes(claims));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(rsa.getPublic().getEncoded(), "HmacSHA256"));
        return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String header(String alg, String kid) {
        ObjectNode h = Json.object();
        h.put("alg", alg).put("typ", "JWT");
        if (kid != null) {
            h.put("kid", kid);
        }
        return b64(Json.writeBytes(h));
    }

    static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] bytes = n.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static byte[] fixed(BigInteger n, int length) {
        byte[] bytes = unsigned(n);
        byte[] out = new byte[length];
        System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
        return out;
    }
}
