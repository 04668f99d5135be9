package io.mcpserver.server.resume;

import java.time.Duration;

/**
 * Session recovery on WebSocket and TCP ({@code sessions.*}).
 *
 * @param window     how long a session whose connection ended waits for its client to resume it; zero turns
 *                   recovery off (no token is issued)
 * @param bufferSize messages kept per resumable session for replay
 */
public record ResumeSettings(Duration window, int bufferSize) {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(2);
    public static final int DEFAULT_BUFFER_SIZE = 1000;

    public static ResumeSettings defaults() {
        return new ResumeSettings(DEFAULT_WINDOW, DEFAULT_BUFFER_SIZE);
    }

    public boolean enabled() {
        return !window.isZero() && !window.isNegative();
    }
}
