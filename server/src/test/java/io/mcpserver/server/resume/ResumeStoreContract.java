package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link ResumeStore} must do, whichever process or server holds the data: a store shared by a cluster
 * subclasses this with its own {@link #store()}.
 */
abstract class ResumeStoreContract {

    private static final Instant NOW = Instant.parse("2026-12-01T04:00:00Z");

    abstract ResumeStore store();

    private static ResumeRecord record(String hash, String subject, Instant expires) {
        return new ResumeRecord(hash, "session-1", subject, expires,
                new SessionSnapshot("session-1", "tcp", "2025-11-25", Json.object(), null, "info", null, 0));
    }

    @Test
    void aTokenIsClaimedOnceByItsSubject() {
        ResumeStore store = store();
        store.save(record("h1", "alice", NOW.plusSeconds(60)));
        var first = assertInstanceOf(ResumeStore.Claim.Claimed.class, store.claim("h1", "alice", NOW));
        assertEquals("session-1", first.record().sessionId());
        assertInstanceOf(ResumeStore.Claim.Unknown.class, store.claim("h1", "alice", NOW), "spent");
    }

    @Test
    void anotherSubjectFindsItForeignAndLeavesItForTheOwner() {
        ResumeStore store = store();
        store.save(record("h1", "alice", NOW.plusSeconds(60)));
        assertInstanceOf(ResumeStore.Claim.Foreign.class, store.claim("h1", "mallory", NOW));
        assertInstanceOf(ResumeStore.Claim.Claimed.class, store.claim("h1", "alice", NOW));
    }

    @Test
    void anExpiredOrRevokedTokenIsUnknown() {
        ResumeStore store = store();
        store.save(record("old", "alice", NOW.minusSeconds(1)));
        assertInstanceOf(ResumeStore.Claim.Unknown.class, store.claim("old", "alice", NOW));
        store.save(record("gone", "alice", Instant.MAX));
        store.revoke("gone");
        assertInstanceOf(ResumeStore.Claim.Unknown.class, store.claim("gone", "alice", NOW));
        assertInstanceOf(ResumeStore.Claim.Unknown.class, store.claim("never", "alice", NOW));
    }

    @Test
    void aBufferKeepsTheNewestInOrderAndForgetsWhatIsTrimmed() {
        ReplayBuffer buffer = store().buffer("session-1", 3);
        for (long seq = 1; seq <= 5; seq++) {
            ObjectNode m = Json.object();
            m.put("n", seq);
            buffer.append(seq, m);
        }
        assertEquals(List.of(3L, 4L, 5L), buffer.after(0).stream().map(ReplayBuffer.Entry::seq).toList());
        assertEquals(List.of(5L), buffer.after(4).stream().map(ReplayBuffer.Entry::seq).toList());
        assertEquals(4, buffer.after(3).getFirst().message().path("n").asLong());
        buffer.trimThrough(4);
        assertEquals(1, buffer.size());
        buffer.clear();
        assertTrue(buffer.after(0).isEmpty());
    }
}
