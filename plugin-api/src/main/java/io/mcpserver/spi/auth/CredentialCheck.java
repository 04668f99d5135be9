package io.mcpserver.spi.auth;

import io.mcpserver.spi.Caller;

import java.util.Objects;

/**
 * What a {@link CredentialChecker} made of a credential: accepted (as a caller), refused (with a reason and a
 * sentence the client reads), or not its kind, so that the next checker for that scheme may try.
 */
public final class CredentialCheck {

    /** The three answers a checker can give. */
    public enum Outcome {
        ACCEPTED, REFUSED, NOT_MINE
    }

    private static final CredentialCheck NOT_MINE = new CredentialCheck(Outcome.NOT_MINE, null, null, null);

    private final Outcome outcome;
    private final Caller caller;
    private final String reason;
    private final String description;

    private CredentialCheck(Outcome outcome, Caller caller, String reason, String description) {
        this.outcome = outcome;
        this.caller = caller;
        this.reason = reason;
        this.description = description;
    }

    /**
     * The credential is valid and stands for {@code caller}: its subject, scopes and roles decide what it may do
     * ({@code security.rules}); the server sets its transport and client id.
     */
    public static CredentialCheck accepted(Caller caller) {
        return new CredentialCheck(Outcome.ACCEPTED, Objects.requireNonNull(caller, "caller"), null, null);
    }

    /**
     * The credential is not valid.
     *
     * @param reason      a short {@code snake_case} word for the audit trail and the error's {@code data.reason}
     *                    ({@code invalid_token}, {@code expired}…)
     * @param description a sentence the client may read; never the secret, and never whether some account exists
     */
    public static CredentialCheck refused(String reason, String description) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a refusal needs a reason");
        }
        return new CredentialCheck(Outcome.REFUSED, null, reason, description == null ? reason : description);
    }

    /** The credential is not of the kind this checker knows (e.g. not a JWT): let the next checker look. */
    public static CredentialCheck notMine() {
        return NOT_MINE;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The caller when {@link Outcome#ACCEPTED}; else null. */
    public Caller caller() {
        return caller;
    }

    /** The reason when {@link Outcome#REFUSED}; else null. */
    public String reason() {
        return reason;
    }

    /** The client-readable sentence when {@link Outcome#REFUSED}; else null. */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return switch (outcome) {
            case ACCEPTED -> "accepted " + caller.subject();
            case REFUSED -> "refused " + reason;
            case NOT_MINE -> "not mine";
        };
    }
}
