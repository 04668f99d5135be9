package io.mcpserver.server.observe;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One log line per kind of event and key (a principal, a peer's address) per interval, for events a client can cause
 * at will: a flooder refused a thousand times a second wrote a thousand INFO lines a second (three per refused TCP
 * connection), which buried everything else in the log and filled its disk. The first event of a key is logged at
 * once; the next ones within the interval are counted, and the first after it is logged with that count.
 */
public final class LogThrottle {

    /** Keys kept at most; beyond, the quiet ones are forgotten (a forgotten key's next event is logged at once). */
    private static final int MAX_KEYS = 10_000;

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long loggedAt;
        long suppressed;

        Window(long loggedAt) {
            this.loggedAt = loggedAt;
        }
    }

    public LogThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    LogThrottle(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * The line to log for one more event of {@code key}: {@code line} itself, with how many like it were not logged
     * since the last one; null while the interval since that one has not passed (the event is counted).
     */
    public String admit(String key, String line) {
        long now = nanoClock.getAsLong();
        if (windows.size() > MAX_KEYS) {
            windows.values().removeIf(w -> now - w.loggedAt > intervalNanos);
        }
        Window fresh = new Window(now);
        Window w = windows.putIfAbsent(key, fresh);
        if (w == null) {
            return line;
        }
        long suppressed;
        synchronized (w) {
            if (now - w.loggedAt < intervalNanos) {
                w.suppressed++;
                return null;
            }
            suppressed = w.suppressed;
            w.suppressed = 0;
            w.loggedAt = now;
        }
        return suppressed == 0 ? line : line + " (and " + suppressed + " more like it since the last such line, "
                + Duration.ofNanos(intervalNanos).toSeconds() + " s or more ago)";
    }
}
