package io.mcpserver.server.protocol;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids of {@code requestState}s the server has accepted, each kept until the state would have expired
 * anyway, so that a state is good for one retry. Shared state behind a small interface: in memory here;
 * a cluster needs one store for every instance that shares the request-state key.
 */
public interface SpentStates {

    /**
     * Records a state as used.
     *
     * @return false when it was used before
     */
    boolean spend(String id, Instant expires);

    /** One process's memory; expired ids are dropped as new ones arrive. */
    static SpentStates inMemory(Clock clock) {
        return new SpentStates() {
            private final Map<String, Instant> spent = new ConcurrentHashMap<>();
            private volatile long nextSweep;

            @Override
            public boolean spend(String id, Instant expires) {
                Instant now = clock.instant();
                if (now.toEpochMilli() >= nextSweep) {
                    nextSweep = now.toEpochMilli() + 10_000;
                    spent.values().removeIf(e -> e.isBefore(now));
                }
                return spent.putIfAbsent(id, expires) == null;
            }
        };
    }
}
