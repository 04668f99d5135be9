package io.mcpserver.spi.auth;

import java.util.Set;

/**
 * Checks credentials at the edge of every network transport (HTTP, legacy SSE, the WebSocket upgrade, the first
 * message of TCP and plugin transports). A plugin contributes checkers with {@link io.mcpserver.spi.McpPlugin#credentialCheckers()};
 * the server's own JWT and API-key checks are checkers too, and are asked first.
 *
 * <p>For one credential the server asks, in order, every checker whose {@link #schemes()} contain its scheme: the
 * first {@link CredentialCheck.Outcome#ACCEPTED} wins; when nobody accepts, the client gets the first refusal. The
 * server then applies the same rules to every credential: refused authentications are audited and rate limited per
 * address, the caller's scopes and roles meet {@code security.rules}. A checker that throws refuses the credential
 * (logged once). {@link #check} runs on the request's (virtual) thread for every request over HTTP: keep it fast,
 * and compare secrets in constant time ({@link java.security.MessageDigest#isEqual}).
 */
public interface CredentialChecker {

    /** A short name for logs ({@code ldap}, {@code opaque-tokens}). */
    String name();

    /** The schemes this checker looks at, in lower case: {@link Credential#BEARER}, {@link Credential#API_KEY}, or another. */
    Set<String> schemes();

    /** Accepts, refuses, or leaves the credential to the next checker. */
    CredentialCheck check(Credential credential);
}
