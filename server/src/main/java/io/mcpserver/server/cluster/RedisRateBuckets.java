package io.mcpserver.server.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.mcpserver.server.config.SecuritySettings.RateLimitSettings;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.security.RateBuckets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The rate limits' token buckets in Redis, one view for every node: a principal's bucket is
 * {@code mcp:rate:p:<principal>}, the global one {@code mcp:rate:global}, each a hash of its tokens and the instant
 * they were counted, expiring once it would be full again (a full bucket and no bucket are the same). One Lua script
 * refills and takes from both in one round trip, atomically: a request takes a token from each or from neither.
 * The script reads the time from Redis ({@code TIME}), so that the nodes' clocks need not agree.
 *
 * <p>The cost is one {@code EVALSHA} per request while a limit is on (none while both are off). A refusal is
 * remembered here until the wait it announced is over: tokens only come back with time, so until then every request
 * of that principal (or, for the global bucket, every request) is refused without asking Redis, and a flooding
 * client costs Redis one call per refill, not one per request. Leasing tokens in batches would save more round trips
 * but makes the limit inexact (tokens parked on one node while another refuses), so it is not done.
 *
 * <p>While Redis cannot be reached, {@code cluster.rate-limit-fallback} decides: {@code local} (the default) applies
 * the limits per node with this node's own buckets, {@code refuse} answers every request that a limit applies to with
 * -32603 "retry shortly".
 */
public final class RedisRateBuckets implements RateBuckets {

    private static final System.Logger LOG = System.getLogger(RedisRateBuckets.class.getName());
    static final String PRINCIPAL_KEY = "mcp:rate:p:";
    static final String GLOBAL_KEY = "mcp:rate:global";
    /** Above this many remembered refusals, those that are over are dropped. */
    private static final int SWEEP_ABOVE = 10_000;

    /*
     * KEYS[1] the principal's bucket, KEYS[2] the global one; ARGV: now in µs ("" = Redis TIME), the principal's rate
     * (0 = off) and burst, the global rate (0 = off) and burst. Returns {0} when admitted, else {1 (principal) or
     * 2 (global), µs until that bucket has a token}. Numbers are formatted with %.0f / %.6f: tostring() would write
     * an instant in µs as 1.7e+15 and lose it.
     */
    static final RedisScript SCRIPT = RedisScript.of("""
            redis.replicate_commands() -- Redis before 5 would refuse writes after TIME without it; a no-op since
            local now
            if ARGV[1] == '' then
              local t = redis.call('TIME')
              now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            else
              now = tonumber(ARGV[1])
            end
            local function level(key, rate, burst)
              local v = redis.call('HMGET', key, 'tokens', 'at')
              local tokens, at = tonumber(v[1]), tonumber(v[2])
              if tokens == nil or at == nil then
                return burst
              end
              if now > at then
                tokens = math.min(burst, tokens + (now - at) * rate / 1000000)
              end
              return tokens
            end
            local pRate, pBurst = tonumber(ARGV[2]), tonumber(ARGV[3])
            local gRate, gBurst = tonumber(ARGV[4]), tonumber(ARGV[5])
            local p, g
            if pRate > 0 then
              p = level(KEYS[1], pRate, pBurst)
              if p < 1 then
                return {1, math.ceil((1 - p) * 1000000 / pRate)}
              end
            end
            if gRate > 0 then
              g = level(KEYS[2], gRate, gBurst)
              if g < 1 then
                return {2, math.ceil((1 - g) * 1000000 / gRate)}
              end
            end
            local function store(key, tokens, rate, burst)
              redis.call('HSET', key, 'tokens', string.format('%.6f', tokens), 'at', string.format('%.0f', now))
              redis.call('PEXPIRE', key, math.ceil((burst - tokens) * 1000 / rate) + 1000)
            end
            if p then store(KEYS[1], p - 1, pRate, pBurst) end
            if g then store(KEYS[2], g - 1, gRate, gBurst) end
            return {0}
            """);

    /** How the buckets behave while Redis cannot be reached ({@code cluster.rate-limit-fallback}). */
    public enum Fallback { LOCAL, REFUSE }

    private final RedisLink redis;
    private final RateLimitSettings settings;
    private final RateBuckets local;
    private final Fallback fallback;
    private final LongSupplier redisMicros;
    /** Refusals announced and not over yet, by principal key ({@link #GLOBAL_KEY} for the global bucket): nano deadline. */
    private final Map<String, Long> emptyUntil = new ConcurrentHashMap<>();
    private volatile boolean fellBack;

    /**
     * @param local    this node's own buckets, used while Redis cannot be reached with {@link Fallback#LOCAL}
     * @param redisMicros the clock the script counts with, in µs; null: Redis's own ({@code TIME}), as in production
     *                 (tests move a clock of their own)
     */
    public RedisRateBuckets(RedisLink redis, RateLimitSettings settings, RateBuckets local, Fallback fallback,
                            LongSupplier redisMicros) {
        this.redis = redis;
        this.settings = settings;
        this.local = local;
        this.fallback = fallback;
        this.redisMicros = redisMicros;
    }

    @Override
    public Refusal take(String principal, long nowNanos) {
        String principalKey = principal == null ? null : key(principal);
        Refusal known = knownEmpty(principalKey, nowNanos);
        if (known != null) {
            return known;
        }
        List<Object> answer;
        try {
            answer = run(principalKey);
        } catch (RedisException e) {
            return unreachable(principal, nowNanos, e);
        }
        if (fellBack) {
            fellBack = false;
            LOG.log(System.Logger.Level.INFO, "Redis reachable again: rate limits are shared by the cluster again");
        }
        long code = (Long) answer.get(0);
        if (code == 0) {
            return null;
        }
        long waitNanos = Math.max(1, (Long) answer.get(1)) * 1000;
        if (emptyUntil.size() > SWEEP_ABOVE) {
            emptyUntil.values().removeIf(deadline -> deadline - nowNanos <= 0);
        }
        if (code == 1) {
            emptyUntil.put(principalKey, nowNanos + waitNanos);
            return new Refusal(Bucket.PRINCIPAL, waitNanos);
        }
        emptyUntil.put(GLOBAL_KEY, nowNanos + waitNanos);
        return new Refusal(Bucket.GLOBAL, waitNanos);
    }

    /** A refusal still running out: no token can have come back yet, whatever the other nodes did. */
    private Refusal knownEmpty(String principalKey, long now) {
        if (principalKey != null) {
            Long until = emptyUntil.get(principalKey);
            if (until != null) {
                if (until - now > 0) {
                    return new Refusal(Bucket.PRINCIPAL, until - now);
                }
                emptyUntil.remove(principalKey, until);
            }
        }
        if (settings.global() > 0) {
            Long until = emptyUntil.get(GLOBAL_KEY);
            if (until != null) {
                if (until - now > 0) {
                    return new Refusal(Bucket.GLOBAL, until - now);
                }
                emptyUntil.remove(GLOBAL_KEY, until);
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private List<Object> run(String principalKey) {
        String[] keys = {principalKey == null ? GLOBAL_KEY : principalKey, GLOBAL_KEY};
        String[] args = {redisMicros == null ? "" : Long.toString(redisMicros.getAsLong()),
                Integer.toString(principalKey == null ? 0 : settings.perPrincipal()),
                Integer.toString(settings.perPrincipalBurst()),
                Integer.toString(settings.global()), Integer.toString(settings.globalBurst())};
        return (List<Object>) SCRIPT.run(redis.commands(), ScriptOutputType.MULTI, keys, args);
    }

    private Refusal unreachable(String principal, long nowNanos, RedisException e) {
        if (!fellBack) {
            fellBack = true;
            LOG.log(System.Logger.Level.WARNING, "Redis unreachable (" + e.getMessage() + "): rate limits "
                    + (fallback == Fallback.LOCAL ? "apply per node until it is back" : "refuse every request until it"
                    + " is back") + " (cluster.rate-limit-fallback: " + fallback.name().toLowerCase() + ")");
        }
        if (fallback == Fallback.REFUSE) {
            throw SessionStore.unavailable();
        }
        return local.take(principal, nowNanos);
    }

    /** A subject may be long: beyond 200 characters the key holds its SHA-256 instead. */
    static String key(String principal) {
        if (principal.length() <= 200) {
            return PRINCIPAL_KEY + principal;
        }
        return PRINCIPAL_KEY + "sha256:" + HexFormat.of().formatHex(digest("SHA-256", principal));
    }

    private static byte[] digest(String algorithm, String text) {
        try {
            return MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from the JDK", e);
        }
    }
}
