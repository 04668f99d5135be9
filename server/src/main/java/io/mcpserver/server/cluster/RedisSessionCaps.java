package io.mcpserver.server.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.server.security.SessionCaps;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code limits.max-sessions-per-principal} for the cluster: {@code mcp:sessions:<subject>} is a hash of how many
 * sessions of that subject each node instance holds ({@link ClusterNodes#instance()} → count). Admission is one Lua
 * script: it adds up the counts of the instances that are alive (their heartbeat key exists; the fields of dead ones
 * are deleted on the way), refuses at the cap, else counts the new session on this instance — check and count in one
 * atomic step, so that two nodes cannot both admit the last session.
 *
 * <p>Why a count per instance rather than an entry per session with its own expiry: a node that dies must not leak
 * what it counted, and per-instance counts die with the instance's heartbeat ({@link ClusterNodes#LEASE}) without any
 * per-session renewal traffic; each node knows its own count exactly (its registry) and writes it back whenever one
 * of its sessions ends and every {@link #RECONCILE} for every subject it holds sessions of, which also repairs what
 * a Redis restart or a session admitted but never opened left behind. The hash expires when no node has written it for
 * {@link #KEY_TTL}. A shared Streamable HTTP session counts on the node that opened it (another node serving it does
 * not count it again); if that node dies, the session goes on elsewhere uncounted until it ends.
 *
 * <p>While Redis cannot be reached, a node counts only its own sessions (the cap holds per node).
 */
public final class RedisSessionCaps implements SessionCaps, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisSessionCaps.class.getName());
    static final String KEY = "mcp:sessions:";
    static final Duration RECONCILE = Duration.ofSeconds(30);
    static final Duration KEY_TTL = RECONCILE.multipliedBy(4);

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

    private final RedisLink redis;
    private final ClusterNodes nodes;
    private final SessionRegistry sessions;
    private final SessionCaps local;
    /** The subjects this node wrote a count for, so that a count that fell to zero is removed. */
    private final Set<String> written = ConcurrentHashMap.newKeySet();
    private volatile boolean fellBack;
    private volatile Thread reconciler;

    public RedisSessionCaps(RedisLink redis, ClusterNodes nodes, SessionRegistry sessions, SessionCaps local) {
        this.redis = redis;
        this.nodes = nodes;
        this.sessions = sessions;
        this.local = local;
        sessions.onEnded(this::ended);
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

    @Override
    public void admit(SessionRegistry registry, String subject, int max) {
        Object answer;
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
            local.admit(registry, subject, max);
            written.add(subject); // counted in Redis by the next reconciliation, once it is back
            return;
        }
        fellBack = false;
        written.add(subject);
        if (!Long.valueOf(-1).equals(answer)) {
            throw SessionCaps.tooMany(subject, max);
        }
    }

    /** A session left this node: its subject's count here is written again, exactly. */
    private void ended(Session session) {
        String subject = session.caller() == null ? null : session.caller().subject();
        if (subject == null || !written.contains(subject) || !sessions.openedHere(session)) {
            return;
        }
        Thread.ofVirtual().start(() -> write(Map.of(subject, countHere(subject))));
    }

    private long countHere(String subject) {
        long n = 0;
        for (Session s : sessions.all()) {
            if (subject.equals(s.caller().subject()) && sessions.openedHere(s) && !s.isClosed()) {
                n++;
            }
        }
        return n;
    }

    /** Writes this node's count for every subject it holds sessions of, and removes those it no longer holds. */
    void reconcile() {
        Map<String, Long> counts = new HashMap<>();
        for (Session s : sessions.all()) {
            if (s.caller() != null && !s.isClosed() && sessions.openedHere(s)) {
                counts.merge(s.caller().subject(), 1L, Long::sum);
            }
        }
        // only the subjects a cap was asked for (security on): anonymous connections are never counted
        counts.keySet().retainAll(written);
        for (String subject : new HashSet<>(written)) {
            counts.putIfAbsent(subject, 0L);
        }
        write(counts);
    }

    private void write(Map<String, Long> counts) {
        try {
            var commands = redis.commands();
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                if (e.getValue() == 0) {
                    commands.hdel(KEY + e.getKey(), nodes.instance());
                    written.remove(e.getKey());
                } else {
                    commands.hset(KEY + e.getKey(), nodes.instance(), Long.toString(e.getValue()));
                    commands.pexpire(KEY + e.getKey(), KEY_TTL.toMillis());
                }
            }
        } catch (RedisException e) {
            LOG.log(System.Logger.Level.DEBUG, "Session counts not written: " + e.getMessage());
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
