package io.mcpserver.server.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Which nodes are alive: each node process writes {@code mcp:node:<instance>} every {@link #BEAT} with a lifetime of
 * {@link #LEASE}, so that the others can tell within {@link #LEASE} that it died and stop counting what it held
 * (sessions towards a principal's cap) or waiting for what it ran (tasks). The instance is the node id and a random
 * part: a node restarted under the same id is a new instance, and what its predecessor held is not mistaken for its.
 */
public final class ClusterNodes implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClusterNodes.class.getName());
    static final String KEY = "mcp:node:";
    static final Duration BEAT = Duration.ofSeconds(5);
    static final Duration LEASE = Duration.ofSeconds(15);

    private final RedisLink redis;
    private final String instance;
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
        this.instance = redis.nodeId() + "/" + HexFormat.of().formatHex(random);
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
            redis.commands().set(KEY + instance, "1", SetArgs.Builder.px(lease));
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

    /** Whether {@code instance} has beaten within its lease; throws {@link RedisException} when Redis cannot tell. */
    public boolean alive(String instance) {
        return this.instance.equals(instance) || redis.commands().exists(KEY + instance) > 0;
    }

    @Override
    public void close() {
        closed = true;
        Thread t = beating;
        if (t != null) {
            t.interrupt();
        }
        try {
            redis.commands().del(KEY + instance); // a node that stops says so at once
        } catch (RedisException e) {
            // its lease runs out instead
        }
    }
}
