package io.mcpserver.server.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.mcpserver.server.protocol.SessionSlots;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.server.security.SessionCaps;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code limits.max-sessions-per-principal} for the cluster: {@code mcp:sessions:<subject>} is a hash of how many
 * slots of that subject each node instance holds ({@link ClusterNodes#instance()} → count). A slot is taken at
 * admission, before the session exists (see {@link SessionSlots}): first on this node (its own slots cannot pass the
 * cap either), then by one Lua script that adds up the counts of the instances that are alive (their heartbeat key
 * exists; the fields of dead ones are deleted on the way), refuses at the cap, else counts the slot on this instance
 * — check and count in one atomic step, so that two nodes cannot both admit the last session. A slot given back (its
 * session ended, or the open it was taken for did not happen) is taken off this instance's count by another script,
 * a decrement: increments and decrements commute, so concurrent opens and ends on every node leave the count exact.
 *
 * <p>Why a count per instance rather than an entry per session with its own expiry: a node that dies must not leak
 * what it counted, and per-instance counts die with the instance's heartbeat ({@link ClusterNodes#LEASE}) without any
 * per-session renewal traffic. Each node knows its own count exactly (its slots) and writes it back every
 * {@link #RECONCILE} for every subject it holds slots of, and when the link to Redis comes back, which repairs what a
 * Redis restart lost or what was counted while Redis could not be reached. That write is only made while none of the
 * subject's scripts is under way, and made again if one started meanwhile, so that it never undoes an increment or a
 * decrement. The hash expires when no node has written it for {@link #KEY_TTL}. A shared Streamable HTTP session
 * counts on the node that opened it (another node serving it does not count it again); if that node dies, the session
 * goes on elsewhere uncounted until it ends.
 *
 * <p>While Redis cannot be reached, a node counts only its own slots (the cap holds per node); those are in the
 * shared count from the next reconciliation on.
 */
public final class RedisSessionCaps implements SessionCaps, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisSessionCaps.class.getName());
    static final String KEY = "mcp:sessions:";
    static final Duration RECONCILE = Duration.ofSeconds(30);
    static final Duration KEY_TTL = RECONCILE.multipliedBy(4);
    /** How often a reconciliation retries a subject whose scripts keep running, before leaving it to the next. */
    private static final int RECONCILE_TRIES = 5;

    /*
     * KEYS[1] the subject's hash; ARGV: the cap, this instance, the heartbeat key prefix, the hash's ttl in ms.
     * Returns -1 when admitted (and counted here), else the number of sessions the subject has open. An instance
     * (<node id>/<random>) is alive while its node's heartbeat holds its random part (ClusterNodes). The heartbeat keys
     * are not in KEYS: which instances to check is only known once the hash is read (the cluster runs on one Redis,
     * not Redis Cluster).
     */
    static final RedisScript ADMIT = RedisScript.of("""
            local all = redis.call('HGETALL', KEYS[1])
            local total = 0
            for i = 1, #all, 2 do
              local instance, n = all[i], tonumber(all[i + 1])
              local slash = string.find(instance, '/', 1, true)
              if instance == ARGV[2] or (slash and redis.call('GET', ARGV[3] .. string.sub(instance, 1, slash - 1))
                  == string.sub(instance, slash + 1)) then
                total = total + n
              else
                redis.call('HDEL', KEYS[1], instance)
              end
            end
            if total >= tonumber(ARGV[1]) then
              return total
            end
            redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return -1
            """);

    /* KEYS[1] the subject's hash; ARGV: this instance. One slot fewer here; the field goes at zero. */
    static final String RELEASE = """
            local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
            if n <= 0 then
              redis.call('HDEL', KEYS[1], ARGV[1])
            end
            return n
            """;

    /*
     * KEYS[1] the subject's hash; ARGV: this instance, its count as last read ('' for none), the count to write, the
     * hash's ttl in ms. Writes only if the count is still the one read (else a script landed meanwhile): returns 1.
     */
    static final String WRITE = """
            local now = redis.call('HGET', KEYS[1], ARGV[1])
            if (now or '') ~= ARGV[2] then
              return 0
            end
            if tonumber(ARGV[3]) == 0 then
              redis.call('HDEL', KEYS[1], ARGV[1])
            else
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
              redis.call('PEXPIRE', KEYS[1], ARGV[4])
            end
            return 1
            """;

    private final RedisLink redis;
    private final ClusterNodes nodes;
    private final SessionRegistry sessions;
    private final SessionCaps local;
    /** The subjects this node wrote a count for, so that a count that fell to zero is removed. */
    private final Set<String> written = ConcurrentHashMap.newKeySet();
    /**
     * Per stripe of subjects (by hash): the scripts under way and how many were started, so that a reconciliation
     * writes a count only when no script can land after it (striped: a fixed size, nothing to clean up per subject).
     */
    private final AtomicLongArray running = new AtomicLongArray(64);
    private final AtomicLongArray started = new AtomicLongArray(64);
    private volatile boolean fellBack;
    private volatile Thread reconciler;

    /**
     * @param sessions this node's sessions: their slots are what this node counts
     * @param local    how this node counts alone ({@link SessionCaps#LOCAL}): first, and while Redis is unreachable
     */
    public RedisSessionCaps(RedisLink redis, ClusterNodes nodes, SessionRegistry sessions, SessionCaps local) {
        this.redis = redis;
        this.nodes = nodes;
        this.sessions = sessions;
        this.local = local;
        sessions.slots().onReleased(this::released);
        redis.onReconnect(this::reconcile); // Redis may have restarted empty
    }

    /** Starts writing this node's counts back every {@link #RECONCILE}. */
    public RedisSessionCaps start() {
        reconciler = Thread.ofVirtual().name("mcp-session-caps").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(RECONCILE);
                } catch (InterruptedException e) {
                    return;
                }
                reconcile();
            }
        });
        return this;
    }

    /** Takes the slot in this node's registry ({@code registry} is that registry), then in the cluster's count. */
    @Override
    public SessionSlots.Slot admit(SessionRegistry registry, String subject, int max) {
        int stripe = begin(subject); // before the slot is taken here: see write
        SessionSlots.Slot slot;
        Object answer;
        try {
            slot = local.admit(sessions, subject, max); // this node alone holds max: refused here
        } catch (RuntimeException e) {
            running.decrementAndGet(stripe);
            throw e;
        }
        try {
            nodes.ensureBeating();
            answer = ADMIT.run(redis.commands(), ScriptOutputType.INTEGER, new String[]{KEY + subject},
                    Integer.toString(max), nodes.instance(), ClusterNodes.KEY, Long.toString(KEY_TTL.toMillis()));
        } catch (RedisException e) {
            if (!fellBack) {
                fellBack = true;
                LOG.log(System.Logger.Level.WARNING, "Redis unreachable (" + e.getMessage() + "): "
                        + "limits.max-sessions-per-principal counts this node's sessions only until it is back");
            }
            written.add(subject); // counted in Redis by the next reconciliation, once it is back
            return slot;
        } catch (RuntimeException | Error e) {
            slot.release();
            throw e;
        } finally {
            running.decrementAndGet(stripe);
        }
        fellBack = false;
        written.add(subject);
        if (!Long.valueOf(-1).equals(answer)) {
            slot.release(); // not counted in Redis: nothing to take off there
            throw SessionCaps.tooMany(subject, max);
        }
        slot.shared(true);
        return slot;
    }

    /** A script for {@code subject} starts: a reconciliation of its stripe waits for it. */
    private int begin(String subject) {
        int stripe = subject.hashCode() & (running.length() - 1);
        running.incrementAndGet(stripe); // before counting it as started: see reconcile
        started.incrementAndGet(stripe);
        return stripe;
    }

    /**
     * A slot was given back here: counted in Redis, it is taken off this instance's count there, on a thread of its
     * own (the session may be ending under its transport's lock).
     */
    private Runnable released(SessionSlots.Slot slot) {
        if (!slot.shared()) {
            return null; // never counted in Redis (refused, or taken while Redis was unreachable): the reconciliation's
        }
        int stripe = begin(slot.subject());
        // the release is under way until both the script ran and the slot stopped counting here: a reconciliation
        // between the two would read the lowered count in Redis and the unlowered one here, and write it back one high
        AtomicInteger pending = new AtomicInteger(2);
        Runnable oneDone = () -> {
            if (pending.decrementAndGet() == 0) {
                running.decrementAndGet(stripe);
            }
        };
        Thread.ofVirtual().name("mcp-session-caps-release").start(() -> {
            try {
                redis.commands().eval(RELEASE, ScriptOutputType.INTEGER, new String[]{KEY + slot.subject()},
                        nodes.instance());
            } catch (RedisException e) {
                LOG.log(System.Logger.Level.DEBUG, "Session count not lowered (the next reconciliation does it): "
                        + e.getMessage());
            } finally {
                oneDone.run();
            }
        });
        return oneDone;
    }

    /**
     * Writes this node's count for every subject it holds slots of, and removes those it no longer holds: every
     * {@link #RECONCILE}, and after a reconnection.
     */
    public void reconcile() {
        Map<String, Integer> counts = sessions.slots().held();
        // only the subjects a cap was asked for (security on): anonymous connections are never counted
        counts.keySet().retainAll(written);
        for (String subject : new HashSet<>(written)) {
            counts.putIfAbsent(subject, 0);
        }
        try {
            for (String subject : counts.keySet()) {
                write(subject);
            }
        } catch (RedisException e) {
            LOG.log(System.Logger.Level.DEBUG, "Session counts not written: " + e.getMessage());
        }
    }

    /**
     * Writes this node's count of {@code subject} as it is, without ever undoing a script's increment or decrement:
     * only while none is under way (every script starts, {@link #begin}, before its slot is taken or given back here),
     * only if Redis still has the count read just before ({@link #WRITE}), and again if a script started meanwhile.
     * A subject whose scripts keep running is left to the next reconciliation.
     */
    private void write(String subject) {
        int stripe = subject.hashCode() & (running.length() - 1);
        String key = KEY + subject;
        for (int attempt = 0; attempt < RECONCILE_TRIES; attempt++) {
            long before = started.get(stripe);
            if (running.get(stripe) > 0) {
                pause();
                continue;
            }
            var commands = redis.commands();
            String was = commands.hget(key, nodes.instance());
            int n = sessions.slots().held(subject);
            if (running.get(stripe) > 0 || started.get(stripe) != before) {
                // a script began after the check above: its change may be in one of the two counts just read and
                // not yet in the other (a release already lowered in Redis, its slot still held here), and writing
                // them would put back a slot that was given up; read both again
                continue;
            }
            Object done = commands.eval(WRITE, ScriptOutputType.INTEGER, new String[]{key}, nodes.instance(),
                    was == null ? "" : was, Integer.toString(n), Long.toString(KEY_TTL.toMillis()));
            if (Long.valueOf(1).equals(done) && started.get(stripe) == before) {
                if (n == 0) {
                    written.remove(subject);
                }
                return;
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Thread t = reconciler;
        if (t != null) {
            t.interrupt();
        }
    }
}
