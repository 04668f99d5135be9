package io.mcpserver.server.observe;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LogThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), now::get);

    @Test
    void theFirstEventOfAKeyIsLoggedThenOneLinePerIntervalCountsTheOthers() {
        assertEquals("refused a", throttle.admit("a", "refused a"));
        for (int i = 0; i < 999; i++) {
            assertNull(throttle.admit("a", "refused a"));
        }
        assertEquals("refused b", throttle.admit("b", "refused b"), "another key has its own interval");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertEquals("refused a (and 999 more like it since the last such line, 10 s or more ago)",
                throttle.admit("a", "refused a"));
        assertNull(throttle.admit("a", "refused a"));
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertEquals("refused a (and 1 more like it since the last such line, 10 s or more ago)",
                throttle.admit("a", "refused a"));
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertEquals("refused a", throttle.admit("a", "refused a"), "nothing suppressed: the line alone");
    }
}
