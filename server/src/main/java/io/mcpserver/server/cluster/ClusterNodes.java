package io.mcpserver.server.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Which nodes are alive, the one heartbeat of a node process: {@code mcp:node:<node id>} holds the random part of the
 * running instance's name, written every {@link #BEAT} with a lifetime of {@link #LEASE}, so that the others can tell
 * within {@link #LEASE} that it died and stop counting what it held (sessions towards a principal's cap), waiting for
 * what it ran (tasks), or following a POST stream it was writing. The instance is the node id, '/' and the random
 * part: a node restarted under the same id overwrites the mark with a new random part, so what its predecessor held is
 * dead at once and never mistaken for the new instance's. Two processes running at once under one node id are a
 * configuration error (their client ids and request ids would collide as well).
 */
public final class ClusterNodes implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClusterNodes.class.getName());
    static final String KEY = "mcp:node:";
    static final Duration BEAT = Duration.ofSeconds(2);
    static final Duration LEASE = Duration.ofSeconds(8);
    /** Deletes the mark only while it is still this instance's (a successor may have taken the node id). */
    private static final RedisScript DELETE_IF_MINE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);

    private final RedisLink redis;
    private final String instance;
    /** The random part of {@link #instance}: what this instance writes into its mark. */
    private final String random;
    private final Duration beat;
    private final Duration lease;
    private volatile Thread beating;
    private volatile boolean closed;
    /** Whether a beat has been written since the link (re)connected: until then others may think this node dead. */
    private volatile boolean beaten;

    public ClusterNodes(RedisLink redis) {
        this(redis, BEAT, LEASE);
    }

    ClusterNodes(RedisLink redis, Duration beat, Duration lease) {
        this.redis = redis;
        this.beat = beat;
        this.lease = lease;
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        this.random = HexFormat.of().formatHex(random);
        this.instance = redis.nodeId() + "/" + this.random;
        redis.onReconnect(this::beatOnce); // the lease may have run out while Redis was away
    }

    /** This process's name in Redis: the node id, '/', a random part. */
    public String instance() {
        return instance;
    }

    /** Starts beating on a virtual thread of its own (the first beat at once, if Redis is there). */
    public ClusterNodes start() {
        beating = Thread.ofVirtual().name("mcp-cluster-heartbeat").start(() -> {
            while (!closed) {
                beatOnce();
                try {
                    // until the first beat is written (Redis connects in the background), try again soon
                    Thread.sleep(beaten ? beat : Duration.ofMillis(50));
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return this;
    }

    private void beatOnce() {
        try {
            redis.commands().set(KEY + redis.nodeId(), random, SetArgs.Builder.px(lease));
            beaten = true;
        } catch (RedisException e) {
            beaten = false;
            LOG.log(System.Logger.Level.DEBUG, "Heartbeat not written: " + e.getMessage());
        }
    }

    /**
     * Writes this node's heartbeat now unless one was written since the link came up: call before counting anything
     * for this node in Redis, so that no other node takes it for dead meanwhile.
     */
    public void ensureBeating() {
        if (!beaten) {
            beatOnce();
        }
    }

    /**
     * Whether {@code instance} ({@code <node id>/<random>}) has beaten within its lease and is still the one running
     * under its node id; throws {@link RedisException} when Redis cannot tell.
     */
    public boolean alive(String instance) {
        if (this.instance.equals(instance)) {
            return true;
        }
        int slash = instance.indexOf('/');
        return slash > 0 && instance.substring(slash + 1).equals(redis.commands().get(KEY + instance.substring(0, slash)));
    }

    /**
     * Whether some instance of the node {@code nodeId} has beaten within its lease; throws {@link RedisException}
     * when Redis cannot tell.
     */
    public boolean nodeAlive(String nodeId) {
        return redis.nodeId().equals(nodeId) || redis.commands().exists(KEY + nodeId) > 0;
    }

    @Override
    public void close() {
        closed = true;
        Thread t = beating;
        if (t != null) {
            t.interrupt();
        }
        try {
            // a node that stops says so at once
            DELETE_IF_MINE.run(redis.commands(), ScriptOutputType.INTEGER, new String[]{KEY + redis.nodeId()}, random);
        } catch (RedisException e) {
            // its lease runs out instead
        }
    }
}
