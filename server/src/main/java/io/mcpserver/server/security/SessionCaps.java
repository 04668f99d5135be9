package io.mcpserver.server.security;

import io.mcpserver.server.protocol.ClientText;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.server.protocol.SessionSlots;

/**
 * Where {@code limits.max-sessions-per-principal} counts a subject's open sessions: this process's
 * ({@link #LOCAL}, the registry's {@link io.mcpserver.server.protocol.SessionSlots}) or, with {@code cluster.enabled},
 * every node's ({@code cluster/RedisSessionCaps}).
 */
public interface SessionCaps {

    /**
     * Admits one more session of {@code subject}: takes a slot, counted from now on, before the session exists. The
     * caller hands it to the session it opens ({@link SessionRegistry#hold}) or, when the open does not happen,
     * gives it back ({@link SessionSlots.Slot#release()}).
     *
     * @param sessions this process's open sessions
     * @throws McpException {@code -32000} when the subject holds {@code max} already
     */
    SessionSlots.Slot admit(SessionRegistry sessions, String subject, int max);

    /** Counts the slots of this process. */
    SessionCaps LOCAL = (sessions, subject, max) -> {
        SessionSlots.Slot slot = sessions.slots().take(subject, max);
        if (slot == null) {
            throw tooMany(subject, max);
        }
        return slot;
    };

    /** The refusal, logged (at most one line per subject per 10 s, with the count of the others). */
    static McpException tooMany(String subject, int max) {
        String line = RefusalsLogged.SESSIONS.admit(subject, "Refused a session of '" + ClientText.shown(subject) + "': " + max
                + " open (limits.max-sessions-per-principal)");
        if (line != null) {
            System.getLogger(SessionCaps.class.getName()).log(System.Logger.Level.INFO, line);
        }
        return new McpException(ErrorCodes.LIMIT_EXCEEDED, "Too many sessions: '" + ClientText.shown(subject)
                + "' has " + max + " open (limits.max-sessions-per-principal); close one first", null);
    }
}
