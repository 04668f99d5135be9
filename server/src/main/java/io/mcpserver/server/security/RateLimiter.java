package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.config.SecuritySettings.RateLimitSettings;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.Session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-principal and global token buckets, checked by the dispatcher before every request on every transport.
 * A refused request gets {@link ErrorCodes#LIMIT_EXCEEDED} with {@code data.retryAfterMs} (and
 * {@code retryAfterSeconds}, which HTTP sends as {@code Retry-After} with a 429).
 * The principal is the authenticated subject; without authentication every connection is its own principal.
 */
public final class RateLimiter implements RequestHook {

    /** Above this many principals, the buckets that are full again (idle principals) are dropped. */
    private static final int SWEEP_ABOVE = 10_000;

    private final RateLimitSettings settings;
    private final boolean bySubject;
    private final LongSupplier nanoClock;
    private final TokenBucket global;
    private final Map<String, TokenBucket> principals = new ConcurrentHashMap<>();
    private final RateBuckets local = new LocalBuckets();
    private volatile RateBuckets buckets = local;

    /** @param bySubject key buckets by the authenticated subject (security on) rather than by connection */
    public RateLimiter(RateLimitSettings settings, boolean bySubject, LongSupplier nanoClock) {
        this.settings = settings;
        this.bySubject = bySubject;
        this.nanoClock = nanoClock;
        this.global = settings.global() > 0 ? new TokenBucket(settings.global(), settings.globalBurst(), nanoClock.getAsLong())
                : null;
    }

    @Override
    public void admit(Session session, String method, JsonNode params) {
        if (settings.perPrincipal() <= 0 && settings.global() <= 0) {
            return;
        }
        String principal = settings.perPrincipal() <= 0 ? null
                : bySubject ? "sub:" + session.caller().subject() : "client:" + session.clientId();
        RateBuckets.Refusal refusal = buckets.take(principal, nanoClock.getAsLong());
        if (refusal == null) {
            return;
        }
        if (refusal.bucket() == RateBuckets.Bucket.PRINCIPAL) {
            throw limited("Rate limit exceeded for " + (bySubject ? "'" + session.caller().subject() + "'" : "this client")
                    + " (" + settings.perPrincipal() + " requests/s)", refusal.waitNanos());
        }
        throw limited("The server is busy (" + settings.global() + " requests/s in all)", refusal.waitNanos());
    }

    /**
     * Puts the buckets elsewhere (a cluster's Redis): {@code shared} gets this limiter's own buckets, for the times
     * it cannot reach its store and falls back to one node's view.
     */
    public void shareBuckets(java.util.function.Function<RateBuckets, RateBuckets> shared) {
        this.buckets = shared.apply(local);
    }

    public RateLimitSettings settings() {
        return settings;
    }

    /** This process's buckets: the principals' and the global one. */
    private final class LocalBuckets implements RateBuckets {
        @Override
        public Refusal take(String principal, long now) {
            TokenBucket bucket = null;
            if (principal != null) {
                if (principals.size() > SWEEP_ABOVE) {
                    principals.values().removeIf(b -> b.isFull(now));
                }
                bucket = principals.computeIfAbsent(principal,
                        p -> new TokenBucket(settings.perPrincipal(), settings.perPrincipalBurst(), now));
                long waitNanos = bucket.take(now);
                if (waitNanos > 0) {
                    return new Refusal(Bucket.PRINCIPAL, waitNanos);
                }
            }
            if (global != null) {
                long waitNanos = global.take(now);
                if (waitNanos > 0) {
                    if (bucket != null) {
                        // the request is not served: its principal keeps the token, or a busy server would also
                        // push well-behaved clients over their own rate (a known defect, issue 20)
                        bucket.giveBack();
                    }
                    return new Refusal(Bucket.GLOBAL, waitNanos);
                }
            }
            return null;
        }
    }

    /** How many principals have a bucket now (tests watch the sweep with it). */
    int principalBuckets() {
        return principals.size();
    }

    private static McpException limited(String message, long waitNanos) {
        long ms = Math.max(1, (waitNanos + 999_999) / 1_000_000);
        ObjectNode data = Json.object();
        data.put("retryAfterMs", ms);
        data.put("retryAfterSeconds", (ms + 999) / 1000);
        return new McpException(ErrorCodes.LIMIT_EXCEEDED, message + "; retry after " + ms + " ms", data);
    }

    /** A bucket of {@code capacity} tokens refilled at {@code rate} per second; one request takes one token. */
    static final class TokenBucket {
        private final double perNano;
        private final double capacity;
        private double tokens;
        private long last;

        TokenBucket(int ratePerSecond, int capacity, long now) {
            this.perNano = ratePerSecond / 1e9;
            this.capacity = capacity;
            this.tokens = capacity;
            this.last = now;
        }

        /** Takes a token: 0 when one was there, else how many nanoseconds until one will be (nothing is taken). */
        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perNano);
        }

        /** Returns a token taken for a request that was refused after all (never above capacity). */
        synchronized void giveBack() {
            tokens = Math.min(capacity, tokens + 1);
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= capacity;
        }

        private void refill(long now) {
            if (now > last) {
                tokens = Math.min(capacity, tokens + (now - last) * perNano);
                last = now;
            }
        }
    }
}
