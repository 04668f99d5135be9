package io.mcpserver.server.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.protocol.SpentStates;

import java.time.Instant;

/**
 * The single-use {@code requestState}s of every node in one Redis: {@code SET mcp:spent:<id> NX} with the state's own
 * expiry, so that a state is accepted once in the cluster, whichever node the retry reaches. While Redis cannot be
 * reached, a retry is answered with -32603 ("retry shortly") rather than accepted twice.
 */
public final class RedisSpentStates implements SpentStates {

    private static final String KEY = "mcp:spent:";
    private final RedisLink redis;

    public RedisSpentStates(RedisLink redis) {
        this.redis = redis;
    }

    @Override
    public boolean spend(String id, Instant expires) {
        // at least a second: PXAT in the past (a state at its last millisecond) would be refused by Redis
        long at = Math.max(expires.toEpochMilli(), System.currentTimeMillis() + 1000);
        try {
            return "OK".equals(redis.commands().set(KEY + id, "1", SetArgs.Builder.nx().pxAt(at)));
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
    }
}
