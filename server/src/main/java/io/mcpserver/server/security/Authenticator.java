package io.mcpserver.server.security;

import java.util.Locale;

/**
 * Turns a bearer token into a caller, at a transport's edge. Transports call it with the token they found
 * (an {@code Authorization: Bearer} header, a WebSocket {@code access_token}, a TCP {@code initialize}'s
 * {@code _meta}) and either go on with the {@link AuthResult.Authenticated#caller()} or refuse with the
 * {@link AuthFailure}.
 */
@FunctionalInterface
public interface Authenticator {

    /** @param bearerToken the token, without the {@code Bearer } prefix; null or blank when the client sent none */
    AuthResult authenticate(String bearerToken);

    /** The token in an {@code Authorization} header value ({@code Bearer <token>}, scheme case-insensitive); else null. */
    static String bearerToken(String authorizationHeader) {
        if (authorizationHeader == null) {
            return null;
        }
        String value = authorizationHeader.strip();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? null : token;
    }
}
