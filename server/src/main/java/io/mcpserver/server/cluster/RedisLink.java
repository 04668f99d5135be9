package io.mcpserver.server.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.mcpserver.server.config.ClusterSettings;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This node's connection to the cluster's Redis (Lettuce). One connection is shared by every thread (Lettuce
 * pipelines commands from many threads over it). It is opened in the background so that a node starts while Redis
 * is down; once open, Lettuce reconnects by itself with exponential backoff (100 ms doubling to 5 s). While it is
 * not connected, commands fail at once rather than queue ({@code REJECT_COMMANDS}): a request that needs shared
 * state gets a clear error instead of hanging, and {@link #up()} makes {@code /ready} answer 503.
 */
public final class RedisLink implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisLink.class.getName());
    static final Duration FIRST_DELAY = Duration.ofMillis(100);
    static final Duration MAX_DELAY = Duration.ofSeconds(5);
    /** How long one command may take before it fails (Redis answers in well under a millisecond on a LAN). */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);

    private final ClusterSettings settings;
    private final ClientResources resources;
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;
    /** Subscriptions need a connection of their own (a subscribed connection runs no other command). */
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private final Map<String, java.util.List<Consumer<String>>> channels = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.List<Runnable> reconnectListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile String problem = "not connected yet";
    private volatile boolean closed;
    /** When the link last came back after a lost connection (System.nanoTime); 0: never lost. */
    private volatile long reconnectedAt;
    private Thread opener;

    public RedisLink(ClusterSettings settings) {
        this.settings = settings;
        // two small pools: the node's own work runs on virtual threads, Lettuce only needs to move bytes
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(FIRST_DELAY, MAX_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        RedisURI uri = RedisURI.create(settings.redisUrl());
        uri.setTimeout(COMMAND_TIMEOUT);
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                if (problem != null && connection != null) {
                    LOG.log(System.Logger.Level.INFO, "Redis reachable again at " + address);
                }
                problem = null;
                if (pubSub != null && (c == pubSub || c == connection)) {
                    reconnectedAt = System.nanoTime(); // from the first command that can reach the new Redis on
                    // messages published while this node was away were missed: whoever caches shared state refreshes
                    // it, once both connections are back (each reconnects on its own; running twice does no harm)
                    Thread.ofVirtual().name("redis-reconnected").start(RedisLink.this::afterReconnect);
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                if (!closed) {
                    problem = "connection lost; reconnecting";
                    LOG.log(System.Logger.Level.WARNING, "Lost the connection to Redis at "
                            + ClusterSettings.redacted(settings.redisUrl()) + "; reconnecting with backoff");
                }
            }
        });
    }

    private void afterReconnect() {
        long deadline = System.nanoTime() + MAX_DELAY.multipliedBy(6).toNanos();
        while (!up()) {
            if (closed || System.nanoTime() > deadline) {
                return; // down again: the next reconnection comes here again
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
        reconnectedAt = System.nanoTime(); // and the window runs from when the writing back begins
        reconnectListeners.forEach(Runnable::run);
    }

    /**
     * Whether the link came back after a lost connection less than {@code window} ago: Redis may have restarted
     * empty, and other nodes may still be writing back what they hold.
     */
    public boolean reconnectedWithin(Duration window) {
        long at = reconnectedAt;
        return at != 0 && System.nanoTime() - at < window.toNanos();
    }

    /** Opens the connection in the background, retrying with backoff until it succeeds or the link is closed. */
    public synchronized RedisLink start() {
        opener = Thread.ofVirtual().name("redis-connect").start(this::openUntilConnected);
        return this;
    }

    private void openUntilConnected() {
        Duration delay = FIRST_DELAY;
        while (!closed) {
            try {
                StatefulRedisConnection<String, String> c = client.connect();
                StatefulRedisPubSubConnection<String, String> p;
                try {
                    p = client.connectPubSub();
                } catch (RuntimeException e) {
                    c.close();
                    throw e;
                }
                if (closed) {
                    c.close();
                    p.close();
                    return;
                }
                p.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        // on Lettuce's event loop: never block it (a listener may call Redis)
                        var listeners = channels.get(channel);
                        if (listeners != null) {
                            Thread.ofVirtual().start(() -> listeners.forEach(l -> l.accept(message)));
                        }
                    }
                });
                if (!channels.isEmpty()) {
                    p.sync().subscribe(channels.keySet().toArray(String[]::new));
                }
                pubSub = p;
                connection = c;
                problem = null;
                LOG.log(System.Logger.Level.INFO, "Cluster node " + settings.nodeId() + " connected to Redis at "
                        + ClusterSettings.redacted(settings.redisUrl()));
                return;
            } catch (RuntimeException e) {
                String reason = reason(e);
                if (!reason.equals(problem)) {
                    LOG.log(System.Logger.Level.WARNING, "Cannot connect to Redis at "
                            + ClusterSettings.redacted(settings.redisUrl()) + ": " + reason + "; retrying with backoff");
                }
                problem = reason;
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
            delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    /** Whether Redis can be reached now: what {@code /ready} reports. */
    public boolean up() {
        StatefulRedisConnection<String, String> c = connection;
        StatefulRedisPubSubConnection<String, String> p = pubSub;
        return c != null && c.isOpen() && p != null && p.isOpen() && !closed;
    }

    /** What {@code /ready} shows about the cluster. */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("node", settings.nodeId());
        String p = problem;
        details.put("redis", up() ? "up" : "down: " + (p == null ? "reconnecting" : p));
        return details;
    }

    public ClusterSettings settings() {
        return settings;
    }

    /**
     * The commands of the shared connection; they throw {@link io.lettuce.core.RedisException} at once while Redis
     * cannot be reached.
     */
    public RedisCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            throw new io.lettuce.core.RedisConnectionException("Redis at " + ClusterSettings.redacted(settings.redisUrl())
                    + " is not reachable: " + problem);
        }
        return c.sync();
    }

    /**
     * The same connection's commands without waiting for their answers: sent behind every command sent before them
     * from any thread, and run by Redis in that order. Their futures fail while Redis cannot be reached.
     */
    public RedisAsyncCommands<String, String> asyncCommands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            throw new io.lettuce.core.RedisConnectionException("Redis at " + ClusterSettings.redacted(settings.redisUrl())
                    + " is not reachable: " + problem);
        }
        return c.async();
    }

    /**
     * Calls {@code listener} with every message published on {@code channel} (by any node, this one included), on a
     * virtual thread of its own. Call before {@link #start()}: the channels are subscribed when the link connects,
     * and again by Lettuce after every reconnection.
     */
    public void subscribe(String channel, Consumer<String> listener) {
        channels.computeIfAbsent(channel, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(listener);
    }

    /** Called after the link reconnected: messages published meanwhile were missed. */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    /** Publishes {@code message} on {@code channel}; fails at once while Redis cannot be reached. */
    public void publish(String channel, String message) {
        commands().publish(channel, message);
    }

    public String nodeId() {
        return settings.nodeId();
    }

    /** True once {@link #close()} was called: background work of the link's users stops. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = opener;
        }
        if (t != null) {
            t.interrupt();
        }
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        StatefulRedisPubSubConnection<String, String> p = pubSub;
        if (p != null) {
            p.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
