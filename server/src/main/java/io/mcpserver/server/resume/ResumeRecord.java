package io.mcpserver.server.resume;

import java.time.Instant;

/**
 * What a resume token stands for: the session, the subject it is bound to, and until when it may be presented.
 *
 * @param tokenHash the SHA-256 of the token (hex): the token itself is never stored, logged or listed
 * @param expiresAt when the token stops working; {@link Instant#MAX} while the client is connected (the window
 *                  starts when the connection ends)
 */
public record ResumeRecord(String tokenHash, String sessionId, String subject, Instant expiresAt,
                           SessionSnapshot snapshot) {
}
