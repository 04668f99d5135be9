package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.security.AuthFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an HTTP transport answers when security refuses a request: the status and headers. JSON-RPC errors are the
 * same on every transport; over HTTP a few of them also get their HTTP meaning (RFC 6750 §3.1, RFC 6585 §4).
 */
public record HttpRefusal(int status, Map<String, String> headers) {

    public HttpRefusal {
        headers = Map.copyOf(headers);
    }

    /** 401 with the bearer challenge pointing at the protected resource metadata. */
    public static HttpRefusal unauthorized(AuthFailure failure, String resourceMetadataUrl) {
        if (failure.reason() == AuthFailure.Reason.RATE_LIMITED) {
            return new HttpRefusal(429, Map.of("Retry-After", String.valueOf(failure.retryAfterSeconds())));
        }
        return new HttpRefusal(failure.httpStatus(), Map.of("WWW-Authenticate", failure.wwwAuthenticate(resourceMetadataUrl)));
    }

    /**
     * For a JSON-RPC message an HTTP transport is about to send as the answer to a request: a refused call
     * ({@link ErrorCodes#FORBIDDEN}) is 403 with an {@code insufficient_scope} challenge naming the scopes needed;
     * a rate limit ({@link ErrorCodes#LIMIT_EXCEEDED} with {@code retryAfterSeconds}) is 429 with
     * {@code Retry-After}; a cluster node's "Redis cannot be reached" ({@link SessionStore#UNAVAILABLE}) is 503.
     * Anything else is empty: the usual 200.
     */
    public static Optional<HttpRefusal> forResponse(JsonNode message, String resourceMetadataUrl) {
        JsonNode error = message == null ? null : message.get("error");
        if (error == null) {
            return Optional.empty();
        }
        int code = error.path("code").asInt();
        JsonNode data = error.path("data");
        if (code == ErrorCodes.FORBIDDEN) {
            List<String> scopes = new ArrayList<>();
            data.path("requiredScopes").forEach(s -> scopes.add(s.asText()));
            StringBuilder challenge = new StringBuilder("Bearer error=\"insufficient_scope\"");
            if (!scopes.isEmpty()) {
                challenge.append(", scope=\"").append(AuthFailure.quoted(String.join(" ", scopes))).append('"');
            }
            challenge.append(", resource_metadata=\"").append(AuthFailure.quoted(resourceMetadataUrl)).append('"');
            challenge.append(", error_description=\"").append(AuthFailure.quoted(error.path("message").asText())).append('"');
            return Optional.of(new HttpRefusal(403, Map.of("WWW-Authenticate", challenge.toString())));
        }
        if (code == ErrorCodes.LIMIT_EXCEEDED && data.has("retryAfterSeconds")) {
            return Optional.of(new HttpRefusal(429, Map.of("Retry-After", data.get("retryAfterSeconds").asText())));
        }
        if (code == ErrorCodes.INTERNAL_ERROR && SessionStore.UNAVAILABLE.equals(error.path("message").asText())) {
            return Optional.of(new HttpRefusal(503, Map.of("Retry-After", "1"))); // a cluster without its Redis
        }
        return Optional.empty();
    }
}
