package io.mcpserver.server.resume;

import java.time.Instant;
import java.util.Optional;

/**
 * Where resumable sessions keep what must outlive a connection: the token records and each session's
 * {@link ReplayBuffer}. The seam for clustering: {@link #inMemory()} serves one process (the default); a Redis
 * implementation would keep records as keys with a TTL (claimed with {@code GETDEL} or a script that checks the
 * subject first) and buffers as streams, so that another node can find a session by its token. The live session
 * (its running calls and waiting server→client requests) stays in the process that holds it: see
 * docs/operations.md#session-recovery.
 */
public interface ResumeStore {

    /** What {@link #claim} found. */
    sealed interface Claim {
        /** The token was valid, bound to the claiming subject, and is now spent. */
        record Claimed(ResumeRecord record) implements Claim {
        }

        /** No such token: never issued, already used, revoked, or expired. */
        record Unknown() implements Claim {
        }

        /** The token is valid but bound to another subject; it stays valid for its owner. */
        record Foreign(ResumeRecord record) implements Claim {
        }
    }

    /** Stores (or replaces) the record of a token. */
    void save(ResumeRecord record);

    /**
     * Atomically spends a token for {@code subject}: {@link Claim.Claimed} removes it, so a second claim finds
     * nothing; a token bound to another subject is left as it was.
     */
    Claim claim(String tokenHash, String subject, Instant now);

    /** Forgets a token (a newer one was issued, or its session ended). */
    void revoke(String tokenHash);

    /** A new, empty replay buffer for a session, keeping at most {@code capacity} messages. */
    ReplayBuffer buffer(String sessionId, int capacity);

    static ResumeStore inMemory() {
        return new InMemoryResumeStore();
    }
}
