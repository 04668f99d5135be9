package io.mcpserver.server.protocol;

import java.time.Duration;

/**
 * How the server runs tasks (the Tasks extension of 2026-07-28 and the experimental tasks of 2025-11-25).
 *
 * @param ttl          how long a task and its result are kept after it was created
 * @param pollInterval the polling interval suggested to clients
 * @param maxRunning   tasks one process runs at once; a call beyond that is refused
 */
public record TaskSettings(Duration ttl, Duration pollInterval, int maxRunning) {

    public TaskSettings {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("the task ttl must be positive");
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("the task poll interval must be positive");
        }
        if (maxRunning < 1) {
            throw new IllegalArgumentException("max running tasks must be at least 1");
        }
    }
}
