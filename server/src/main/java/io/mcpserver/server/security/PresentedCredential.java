package io.mcpserver.server.security;

import io.mcpserver.spi.auth.Credential;

import java.util.Locale;

/**
 * A credential as a transport found it, before it is checked: its scheme in lower case and the secret.
 * {@link #toString()} never shows the secret.
 */
public record PresentedCredential(String scheme, String secret) {

    public PresentedCredential {
        scheme = scheme.toLowerCase(Locale.ROOT);
    }

    public static PresentedCredential bearer(String token) {
        return token == null || token.isBlank() ? null : new PresentedCredential(Credential.BEARER, token.strip());
    }

    /**
     * From an {@code Authorization} value ({@code Bearer <token>}, {@code ApiKey <key>}, any {@code <scheme> <secret>},
     * the scheme case-insensitive) or, without one, an {@code X-API-Key} value; null when neither holds anything.
     */
    public static PresentedCredential fromHeaders(String authorization, String apiKey) {
        PresentedCredential found = fromAuthorization(authorization);
        if (found == null && apiKey != null && !apiKey.isBlank()) {
            found = new PresentedCredential(Credential.API_KEY, apiKey.strip());
        }
        return found;
    }

    /** {@code <scheme> <secret>}; null when blank or without a secret. */
    public static PresentedCredential fromAuthorization(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        int space = v.indexOf(' ');
        if (space <= 0) {
            return null;
        }
        String secret = v.substring(space + 1).strip();
        return secret.isEmpty() ? null : new PresentedCredential(v.substring(0, space), secret);
    }

    @Override
    public String toString() {
        return "PresentedCredential[" + scheme + " ****]";
    }
}
