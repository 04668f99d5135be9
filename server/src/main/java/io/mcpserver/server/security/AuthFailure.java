package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;

import java.util.Locale;

/**
 * Why a client could not be authenticated, in the forms each transport needs: an HTTP status with its
 * {@code WWW-Authenticate} challenge (RFC 6750 §3, RFC 9728 §5.1), or a JSON-RPC error for message transports.
 *
 * @param reason      what was wrong, for the audit trail and the error's {@code data.reason}
 * @param description a sentence a person can act on; never contains the token
 */
public record AuthFailure(Reason reason, String description, long retryAfterMs) implements AuthResult {

    public AuthFailure(Reason reason, String description) {
        this(reason, description, 0);
    }

    public enum Reason {
        MISSING_TOKEN, MALFORMED_TOKEN, UNSUPPORTED_ALGORITHM, UNKNOWN_KEY, BAD_SIGNATURE, EXPIRED, NOT_YET_VALID,
        WRONG_ISSUER, WRONG_AUDIENCE, NO_SUBJECT, KEYS_UNAVAILABLE,
        /** No credentials arrived within the transport's deadline ({@code transports.tcp.auth-timeout}). */
        TIMEOUT,
        /** Too many refusals from this address ({@code limits.rate.auth-failures-per-address}): retry later. */
        RATE_LIMITED,
        /** An API key that is unknown, wrong or expired: one reason for all three, so none reveals that a key exists. */
        INVALID_API_KEY,
        /** An {@code Authorization} scheme no checker takes ({@code Basic …}, or {@code ApiKey} with no keys configured). */
        UNSUPPORTED_SCHEME,
        /** Refused by a plugin's credential checker (its own reason is in the description). */
        REJECTED;

        /** The reason whose {@link #wireName()} this is. */
        public static java.util.Optional<Reason> byWireName(String wireName) {
            for (Reason r : values()) {
                if (r.wireName().equals(wireName)) {
                    return java.util.Optional.of(r);
                }
            }
            return java.util.Optional.empty();
        }

        /** {@code wrong_audience} etc. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** 401 for a missing, invalid or expired token (OAuth 2.1 §5.3); 429 when the address is over its limit. */
    public int httpStatus() {
        return reason == Reason.RATE_LIMITED ? 429 : 401;
    }

    /** Whole seconds to wait before the next attempt (for {@code Retry-After}); 0 when not rate limited. */
    public long retryAfterSeconds() {
        return retryAfterMs <= 0 ? 0 : (retryAfterMs + 999) / 1000;
    }

    /**
     * The {@code WWW-Authenticate} value. A request without a token gets no error code (RFC 6750 §3.1);
     * a bad token gets {@code invalid_token}. Both point at the protected resource metadata.
     */
    public String wwwAuthenticate(String resourceMetadataUrl) {
        StringBuilder challenge = new StringBuilder("Bearer ");
        if (reason != Reason.MISSING_TOKEN) {
            challenge.append("error=\"invalid_token\", error_description=\"").append(quoted(description)).append("\", ");
        }
        return challenge.append("resource_metadata=\"").append(quoted(resourceMetadataUrl)).append('"').toString();
    }

    /** The JSON-RPC error for transports without HTTP status codes: {@link ErrorCodes#UNAUTHORIZED}. */
    public McpException toMcpException() {
        ObjectNode data = Json.object();
        data.put("reason", reason.wireName());
        if (reason == Reason.RATE_LIMITED) {
            data.put("retryAfterMs", retryAfterMs);
            data.put("retryAfterSeconds", retryAfterSeconds());
            return new McpException(ErrorCodes.LIMIT_EXCEEDED, "Too many failed authentications: " + description, data);
        }
        return new McpException(ErrorCodes.UNAUTHORIZED, "Unauthorized: " + description, data);
    }

    /** A quoted-string value may not hold {@code "} or {@code \} unescaped (RFC 9110 §5.6.4); we simply drop them. */
    public static String quoted(String value) {
        return value == null ? "" : value.replace("\\", "").replace("\"", "'");
    }
}
