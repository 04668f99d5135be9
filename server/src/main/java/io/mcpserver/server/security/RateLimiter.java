package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.config.SecuritySettings.RateLimitSettings;
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
    /** Each principal's byte budget ({@code limits.rate.per-principal-bytes-per-second}): this process's only. */
    private final Map<String, TokenBucket> byteBuckets = new ConcurrentHashMap<>();
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
        RateBuckets.Refusal refusal = buckets.take(bucketKey(session), nanoClock.getAsLong());
        if (refusal == null) {
            return;
        }
        if (refusal.bucket() == RateBuckets.Bucket.PRINCIPAL) {
            throw McpException.limitExceeded(principalLimited(session), refusal.waitNanos());
        }
        throw McpException.limitExceeded(serverBusy(), refusal.waitNanos());
    }

    /**
     * The subject with security on and a per-principal limit (requests or bytes) on: all its connections share one
     * bucket and one pace; else the session.
     */
    @Override
    public Object principal(Session session) {
        return perPrincipal() && bySubject ? "sub:" + session.caller().subject() : session;
    }

    @Override
    public boolean countsBytes() {
        return settings.bytesPerPrincipal();
    }

    /**
     * Takes a message of {@code bytes} from its principal's byte budget: null when there was room, else the refusal
     * (nothing taken), with how long until there will be. A message larger than the burst passes when the budget is
     * full (it empties it), so that the burst never refuses a message the size limit lets through.
     */
    @Override
    public McpException takeBytes(Session session, long bytes) {
        if (!settings.bytesPerPrincipal() || bytes <= 0) {
            return null;
        }
        long now = nanoClock.getAsLong();
        if (byteBuckets.size() > SWEEP_ABOVE) {
            byteBuckets.values().removeIf(b -> b.isFull(now));
        }
        String key = bySubject ? "sub:" + session.caller().subject() : "client:" + session.clientId();
        TokenBucket bucket = byteBuckets.computeIfAbsent(key, k -> new TokenBucket(settings.perPrincipalBytes(),
                settings.perPrincipalBytesBurst(), now));
        long waitNanos = bucket.take(now, bytes);
        if (waitNanos <= 0) {
            return null;
        }
        return McpException.limitExceeded(bytesLimited(session), waitNanos);
    }

    private String bytesLimited(Session session) {
        return "Byte rate limit exceeded for " + (bySubject ? "'" + session.caller().subject() + "'" : "this client")
                + " (" + settings.perPrincipalBytes() + " bytes/s after " + settings.perPrincipalBytesBurst()
                + " at once)";
    }

    /** With this process's buckets, how long until either has a token for the session's principal; else 0. */
    @Override
    public long refusedForNanos(Session session) {
        if (settings.perPrincipal() <= 0 && settings.global() <= 0) {
            return 0;
        }
        return buckets.emptyForNanos(bucketKey(session), nanoClock.getAsLong());
    }

    /** 1 s / the per-principal rate; 0 without one. */
    @Override
    public long tokenIntervalNanos(Session session) {
        return settings.perPrincipal() > 0 ? 1_000_000_000L / settings.perPrincipal() : 0;
    }

    /** {@code limits.rate.paced-bytes-per-second}, with a per-principal limit (the only pace there is without). */
    @Override
    public long pacedBytesPerSecond(Session session) {
        return perPrincipal() ? settings.pacedBytesPerSecond() : 0;
    }

    private boolean perPrincipal() {
        return settings.perPrincipal() > 0 || settings.bytesPerPrincipal();
    }

    @Override
    public McpException refusedUnparsed(Session session, String method, long waitNanos) {
        // neither rate on: the principal was told to wait by a refusal of its byte budget
        return McpException.limitExceeded(settings.perPrincipal() > 0 ? principalLimited(session)
                : settings.global() > 0 ? serverBusy() : bytesLimited(session), waitNanos);
    }

    private String bucketKey(Session session) {
        return settings.perPrincipal() <= 0 ? null
                : bySubject ? "sub:" + session.caller().subject() : "client:" + session.clientId();
    }

    private String principalLimited(Session session) {
        return "Rate limit exceeded for " + (bySubject ? "'" + session.caller().subject() + "'" : "this client")
                + " (" + settings.perPrincipal() + " requests/s)";
    }

    private String serverBusy() {
        return "The server is busy (" + settings.global() + " requests/s in all)";
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

        @Override
        public long emptyForNanos(String principal, long now) {
            long wait = 0;
            if (principal != null) {
                TokenBucket bucket = principals.get(principal);
                wait = bucket == null ? 0 : bucket.emptyFor(now);
            }
            return global == null ? wait : Math.max(wait, global.emptyFor(now));
        }
    }

    /** How many principals have a bucket now (tests watch the sweep with it). */
    int principalBuckets() {
        return principals.size();
    }

    /**
     * A bucket of {@code capacity} tokens refilled at {@code rate} per second; one request takes one token (one byte
     * one token, in a byte budget).
     */
    static final class TokenBucket {
        private final double perNano;
        private final double capacity;
        private double tokens;
        private long last;

        TokenBucket(double ratePerSecond, double capacity, long now) {
            this.perNano = ratePerSecond / 1e9;
            this.capacity = capacity;
            this.tokens = capacity;
            this.last = now;
        }

        /** Takes a token: 0 when one was there, else how many nanoseconds until one will be (nothing is taken). */
        synchronized long take(long now) {
            return take(now, 1);
        }

        /**
         * Takes {@code amount} tokens (at most the capacity): 0 when they were there, else how many nanoseconds until
         * they will be (nothing is taken).
         */
        synchronized long take(long now, double amount) {
            refill(now);
            double need = Math.min(amount, capacity);
            if (tokens >= need) {
                tokens -= need;
                return 0;
            }
            return (long) Math.ceil((need - tokens) / perNano);
        }

        /** How long until a token will be there, taking nothing: 0 when there is one now. */
        synchronized long emptyFor(long now) {
            refill(now);
            return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
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
