package io.mcpserver.server.security;

import io.mcpserver.spi.Caller;

/** What {@link Authenticator#authenticate} found: a caller, or why there is none. */
public sealed interface AuthResult permits AuthResult.Authenticated, AuthFailure {

    /** The token is valid; {@code caller} has its subject, scopes and roles (transport and client id not yet set). */
    record Authenticated(Caller caller) implements AuthResult {
    }
}
