package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals a multi round-trip {@code requestState} so that the client can carry it but not change it:
 * {@code base64url(json) "." base64url(HMAC-SHA256(key, base64url(json)))}. Every server instance
 * that shares the key can open what another one sealed.
 */
final class RequestStateCodec {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    RequestStateCodec(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** A fresh random key, for a server that was given none. */
    static byte[] randomKey() {
        byte[] key = new byte[StatelessSettings.MIN_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }

    String seal(ObjectNode payload) {
        String body = ENCODER.encodeToString(Json.writeBytes(payload));
        return body + "." + ENCODER.encodeToString(mac(body));
    }

    /**
     * Returns the payload of a state this server (or one sharing its key) sealed.
     *
     * @throws McpException -32602 when the state is malformed or its MAC does not verify
     */
    ObjectNode open(String state) {
        int dot = state.indexOf('.');
        if (dot <= 0 || dot != state.lastIndexOf('.')) {
            throw invalid("it is not a state this server issued");
        }
        String body = state.substring(0, dot);
        byte[] given;
        try {
            given = DECODER.decode(state.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw invalid("it is not a state this server issued");
        }
        if (!MessageDigest.isEqual(mac(body), given)) {
            throw invalid("its signature does not verify (it was altered, or issued by a server with a different "
                    + "protocol.request-state-key)");
        }
        try {
            JsonNode payload = Json.parse(DECODER.decode(body));
            if (!payload.isObject()) {
                throw invalid("its payload is not an object");
            }
            return (ObjectNode) payload;
        } catch (IOException | IllegalArgumentException e) {
            throw invalid("its payload cannot be read");
        }
    }

    static McpException invalid(String why) {
        return McpException.invalidParams("Invalid requestState: " + why
                + ". Send the request again without requestState and inputResponses to start over.");
    }

    private byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
