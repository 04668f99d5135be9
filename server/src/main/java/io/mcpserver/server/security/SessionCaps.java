package io.mcpserver.server.security;

import io.mcpserver.server.protocol.ClientText;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.SessionRegistry;

/**
 * Where {@code limits.max-sessions-per-principal} counts a subject's open sessions: this process's
 * ({@link #LOCAL}, the session registry) or, with {@code cluster.enabled}, every node's ({@code cluster/RedisSessionCaps}).
 */
public interface SessionCaps {

    /**
     * Admits one more session of {@code subject}, counting it from now on.
     *
     * @param sessions this process's open sessions
     * @throws McpException {@code -32000} when the subject has {@code max} open already
     */
    void admit(SessionRegistry sessions, String subject, int max);

    /** Counts the sessions in this process's registry. */
    SessionCaps LOCAL = (sessions, subject, max) -> {
        if (countHere(sessions, subject) >= max) {
            throw tooMany(subject, max);
        }
    };

    /** The subject's sessions open in this process. */
    static long countHere(SessionRegistry sessions, String subject) {
        return sessions.all().stream().filter(s -> subject.equals(s.caller().subject())).count();
    }

    /** The refusal, logged once. */
    static McpException tooMany(String subject, int max) {
        System.getLogger(SessionCaps.class.getName()).log(System.Logger.Level.INFO, "Refused a session of '"
                + ClientText.shown(subject) + "': " + max + " open (limits.max-sessions-per-principal)");
        return new McpException(ErrorCodes.LIMIT_EXCEEDED, "Too many sessions: '" + ClientText.shown(subject)
                + "' has " + max + " open (limits.max-sessions-per-principal); close one first", null);
    }
}
