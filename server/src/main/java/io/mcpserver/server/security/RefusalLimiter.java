package io.mcpserver.server.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per remote address for refused authentications ({@code limits.rate.auth-failures-per-address}).
 * Every refusal takes a token; once an address has none left its refusals are answered "retry later" (HTTP 429)
 * and written to the audit trail only once per {@link #AUDIT_WINDOW_NANOS} per address. A valid token is always
 * checked and accepted, so honest clients behind the same proxy as a flooder are not locked out.
 */
final class RefusalLimiter {

    /** Above this many addresses, the buckets that are full again are dropped. */
    private static final int SWEEP_ABOVE = 10_000;
    static final long AUDIT_WINDOW_NANOS = 60_000_000_000L;

    private final int perSecond;
    private final int burst;
    private final LongSupplier nanoClock;
    private final Map<String, Entry> addresses = new ConcurrentHashMap<>();

    private static final class Entry {
        final RateLimiter.TokenBucket bucket;
        long lastAudited = Long.MIN_VALUE;

        Entry(RateLimiter.TokenBucket bucket) {
            this.bucket = bucket;
        }
    }

    /** What to do with one refusal. */
    record Verdict(long retryAfterNanos, boolean audit) {
        boolean limited() {
            return retryAfterNanos > 0;
        }
    }

    RefusalLimiter(int perSecond, int burst, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    boolean isOn() {
        return perSecond > 0;
    }

    /** Counts a refusal for {@code address} (a host, without port). */
    Verdict refused(String address) {
        if (!isOn()) {
            return new Verdict(0, true);
        }
        long now = nanoClock.getAsLong();
        if (addresses.size() > SWEEP_ABOVE) {
            addresses.values().removeIf(e -> e.bucket.isFull(now));
        }
        Entry entry = addresses.computeIfAbsent(address, a -> new Entry(new RateLimiter.TokenBucket(perSecond, burst, now)));
        long wait = entry.bucket.take(now);
        if (wait == 0) {
            return new Verdict(0, true);
        }
        synchronized (entry) {
            boolean audit = entry.lastAudited == Long.MIN_VALUE || now - entry.lastAudited >= AUDIT_WINDOW_NANOS;
            if (audit) {
                entry.lastAudited = now;
            }
            return new Verdict(wait, audit);
        }
    }

    /** {@code /10.0.0.7:5555}, {@code 10.0.0.7:5555}, {@code [::1]:80} → the host alone; null → {@code unknown}. */
    static String address(String remote) {
        if (remote == null || remote.isBlank()) {
            return "unknown";
        }
        String r = remote.startsWith("/") ? remote.substring(1) : remote;
        int slash = r.indexOf('/'); // host/1.2.3.4:port from InetSocketAddress
        if (slash >= 0) {
            r = r.substring(slash + 1);
        }
        if (r.startsWith("[")) {
            int end = r.indexOf(']');
            return end > 0 ? r.substring(0, end + 1) : r;
        }
        int colon = r.lastIndexOf(':');
        return colon > 0 && r.indexOf(':') == colon ? r.substring(0, colon) : r;
    }
}
