package io.mcpserver.server.security;

import io.mcpserver.spi.auth.Credential;
import io.mcpserver.spi.auth.CredentialCheck;
import io.mcpserver.spi.auth.CredentialChecker;

import java.util.Set;
import java.util.function.Supplier;

/** The server's bearer tokens ({@code security.jwt}), as a checker like any plugin's. */
final class BearerTokenChecker implements CredentialChecker {

    private final Supplier<Authenticator> authenticator;

    /** @param authenticator the JWT check, known once security has started (it reads the issuer's keys) */
    BearerTokenChecker(Supplier<Authenticator> authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public String name() {
        return "jwt";
    }

    @Override
    public Set<String> schemes() {
        return Set.of(Credential.BEARER);
    }

    @Override
    public CredentialCheck check(Credential credential) {
        Authenticator jwt = authenticator.get();
        if (jwt == null) {
            return CredentialCheck.refused(AuthFailure.Reason.KEYS_UNAVAILABLE.wireName(), "security has not started");
        }
        return switch (jwt.authenticate(credential.secret())) {
            case AuthResult.Authenticated ok -> CredentialCheck.accepted(ok.caller());
            case AuthFailure failure -> CredentialCheck.refused(failure.reason().wireName(), failure.description());
        };
    }
}
