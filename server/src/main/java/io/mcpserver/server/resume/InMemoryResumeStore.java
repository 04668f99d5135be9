package io.mcpserver.server.resume;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link ResumeStore} of one process: token records in a map, buffers in memory. */
final class InMemoryResumeStore implements ResumeStore {

    private final Map<String, ResumeRecord> records = new ConcurrentHashMap<>();

    @Override
    public void save(ResumeRecord record) {
        records.put(record.tokenHash(), record);
    }

    @Override
    public Claim claim(String tokenHash, String subject, Instant now) {
        Claim[] outcome = {new Claim.Unknown()};
        records.computeIfPresent(tokenHash, (hash, record) -> {
            if (now.isAfter(record.expiresAt())) {
                return null; // expired: gone for everybody
            }
            if (!record.subject().equals(subject)) {
                outcome[0] = new Claim.Foreign(record);
                return record;
            }
            outcome[0] = new Claim.Claimed(record);
            return null;
        });
        return outcome[0];
    }

    @Override
    public void revoke(String tokenHash) {
        records.remove(tokenHash);
    }

    @Override
    public ReplayBuffer buffer(String sessionId, int capacity) {
        return new InMemoryReplayBuffer(capacity);
    }
}
