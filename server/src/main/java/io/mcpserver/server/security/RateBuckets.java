package io.mcpserver.server.security;

/**
 * Where the rate limits' token buckets live: in this process ({@link RateLimiter}'s own, one node's view) or, with
 * {@code cluster.enabled}, in Redis ({@code cluster/RedisRateBuckets}), where every node draws from the same buckets.
 * A request takes one token from its principal's bucket and one from the global bucket, both or neither: a request
 * refused by one bucket costs nothing in the other.
 */
public interface RateBuckets {

    /** Which bucket refused a request. */
    enum Bucket { PRINCIPAL, GLOBAL }

    /** A refused request: which bucket was empty, and how long until it has a token again. */
    record Refusal(Bucket bucket, long waitNanos) {
    }

    /**
     * Takes a token from {@code principal}'s bucket and one from the global bucket (each only when its limit is on).
     *
     * @param principal the principal's key, null when {@code limits.rate.per-principal} is off
     * @param nowNanos  the limiter's monotonic clock now
     * @return null when the request is admitted (both tokens taken), else why not (none taken)
     */
    Refusal take(String principal, long nowNanos);

    /**
     * How long until a request of {@code principal} could take its tokens, taking nothing (asked before a message is
     * parsed): 0 when it could now, or when the store cannot tell without a round trip (a cluster's Redis).
     */
    default long emptyForNanos(String principal, long nowNanos) {
        return 0;
    }
}
