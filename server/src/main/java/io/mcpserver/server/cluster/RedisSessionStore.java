package io.mcpserver.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.SessionState;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.spi.LogLevel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Shared sessions in Redis: one JSON value per session ({@code mcp:session:<id>}) that expires after the HTTP
 * idle timeout unless a node touches it, and the channel {@code mcp:sessions} on which a node announces that it
 * changed or ended one ({@code <node> changed|ended <id>}), so that the other nodes refresh or drop their copy.
 * The last write wins: two nodes changing one session at the same instant (two subscribe requests of one client,
 * sent to two nodes at once) may lose one of the changes.
 */
public final class RedisSessionStore implements SessionStore {

    private static final System.Logger LOG = System.getLogger(RedisSessionStore.class.getName());
    static final String CHANNEL = "mcp:sessions";
    /** {@code <node> <session id> <JSON-RPC response>}: the client's answer to a server→client request of another node. */
    static final String ANSWERS = "mcp:answers";
    private static final String KEY = "mcp:session:";
    /** {@code <node> <uri>}: a resource changed on that node (for the {@code subscriptions/listen} of the others). */
    static final String RESOURCES = "mcp:resources";
    /**
     * A set per resource URI: the sessions that subscribed to it (checked against each session when used). It expires
     * like its sessions: every save and touch of a subscribed session pushes its expiry to the idle timeout from now,
     * so it outlives each of them and goes once none is used any more; a session that ends leaves it at once.
     */
    static final String SUBSCRIBERS = "mcp:subscribers:";
    private static final String NOTIFIED = "mcp:notified:";
    /*
     * The scripts below make one round trip of what took one per command. A subscriber set's expiry is only ever pushed
     * later (PTTL below the idle timeout: none yet, or an older one).
     */
    /** KEYS: the session, its subscriber sets; ARGV: the state, ttl ms, session id, channel, announcement. */
    private static final RedisScript SAVE = RedisScript.of("""
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            for i = 2, #KEYS do
              redis.call('SADD', KEYS[i], ARGV[3])
              if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then
                redis.call('PEXPIRE', KEYS[i], ARGV[2])
              end
            end
            redis.call('PUBLISH', ARGV[4], ARGV[5])
            return 1
            """);
    /** KEYS: the session, its stream, its subscriber sets; ARGV: ttl ms. Nothing when the session is gone. */
    private static final RedisScript TOUCH = RedisScript.of("""
            if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then
              return 0
            end
            redis.call('PEXPIRE', KEYS[2], ARGV[1])
            for i = 3, #KEYS do
              if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[1]) then
                redis.call('PEXPIRE', KEYS[i], ARGV[1])
              end
            end
            return 1
            """);
    /** KEYS: the session, its stream, its read mark, its subscriber sets; ARGV: session id, channel, announcement. */
    private static final RedisScript DELETE = RedisScript.of("""
            redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
            for i = 4, #KEYS do
              redis.call('SREM', KEYS[i], ARGV[1])
            end
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return 1
            """);
    /**
     * After a lost connection, how long a session missing from Redis may still be written back by the node holding
     * it: every node reconnects within {@link RedisLink#MAX_DELAY} of Redis's return and writes back at once.
     */
    static final Duration RESTORE_WINDOW = RedisLink.MAX_DELAY.multipliedBy(3);

    private final RedisLink redis;
    private final CopyOnWriteArrayList<BiConsumer<String, Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<BiConsumer<String, JsonNode>> answerListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<java.util.function.Consumer<String>> resourceListeners =
            new CopyOnWriteArrayList<>();
    private final RedisSessionStreams streams;
    private volatile Duration ttl = Duration.ofMinutes(30);

    /** @param replayCapacity events kept per session stream ({@code transports.http.sse-replay-buffer}) */
    public RedisSessionStore(RedisLink redis, ClusterNodes nodes, int replayCapacity) {
        this.redis = redis;
        this.streams = new RedisSessionStreams(redis, nodes, replayCapacity);
        redis.subscribe(CHANNEL, this::announced);
        redis.subscribe(ANSWERS, this::answered);
        redis.subscribe(RESOURCES, this::resourceUpdated);
        redis.onReconnect(() -> listeners.forEach(l -> l.accept(null, false)));
    }

    @Override
    public void idleTimeout(Duration timeout) {
        this.ttl = timeout;
        streams.idleTimeout(timeout);
    }

    @Override
    public io.mcpserver.server.protocol.SessionStreams streams() {
        return streams;
    }

    @Override
    public void save(SessionState state) {
        // an unsubscribed session leaves a set when the next update finds it gone (subscribers), an ended one at once
        String[] keys = keys(List.of(KEY + state.id()), state.subscriptions());
        try {
            SAVE.run(redis.commands(), ScriptOutputType.INTEGER, keys, write(state), Long.toString(ttl.toMillis()),
                    state.id(), CHANNEL, redis.nodeId() + " changed " + state.id());
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
    }

    @Override
    public Optional<SessionState> load(String id) {
        String value;
        try {
            value = redis.commands().get(KEY + id);
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
        return Optional.ofNullable(value == null ? null : parse(value));
    }

    /** The state in {@code value}; null (and a warning) when it cannot be read. */
    private static SessionState parse(String value) {
        try {
            return read(Json.parse(value));
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "Session " + KEY + "…" + " in Redis is unreadable; ignored: " + e);
            return null;
        }
    }

    @Override
    public boolean restoring() {
        return redis.reconnectedWithin(RESTORE_WINDOW);
    }

    @Override
    public void touch(String id, Set<String> subscriptions) {
        String[] keys = keys(List.of(KEY + id, RedisSessionStreams.streamKey(id)), subscriptions);
        try {
            TOUCH.run(redis.commands(), ScriptOutputType.INTEGER, keys, Long.toString(ttl.toMillis()));
        } catch (RedisException e) {
            // not worth failing a request for: the next touch, a few minutes on, pushes the expiry back
            LOG.log(System.Logger.Level.DEBUG, "Touching a session in Redis failed: " + e.getMessage());
        }
    }

    @Override
    public void delete(String id, Set<String> subscriptions) {
        // its own stream goes too (its POST streams expire soon after: they end with their requests)
        String[] keys = keys(List.of(KEY + id, RedisSessionStreams.streamKey(id), RedisSessionStreams.readKey(id)),
                subscriptions);
        try {
            DELETE.run(redis.commands(), ScriptOutputType.INTEGER, keys, id, CHANNEL, redis.nodeId() + " ended " + id);
        } catch (RedisException e) {
            // ended here; elsewhere it ends when its key expires (the idle timeout)
            LOG.log(System.Logger.Level.WARNING, "Redis unreachable while ending a session: other nodes serve it until"
                    + " it expires (" + ttl.toSeconds() + " s idle)");
        }
    }

    /** {@code first}, then the subscriber set of each URI. */
    private static String[] keys(List<String> first, Set<String> subscriptions) {
        List<String> keys = new ArrayList<>(first.size() + subscriptions.size());
        keys.addAll(first);
        for (String uri : subscriptions) {
            keys.add(SUBSCRIBERS + uri);
        }
        return keys.toArray(String[]::new);
    }

    @Override
    public void onChange(BiConsumer<String, Boolean> listener) {
        listeners.add(listener);
    }

    @Override
    public boolean isShared() {
        return true;
    }

    @Override
    public void relayAnswer(String sessionId, JsonNode response) {
        try {
            redis.publish(ANSWERS, redis.nodeId() + " " + sessionId + " " + Json.write(response));
        } catch (RedisException e) {
            // the call waiting for it fails when its time is up (protocol.client-request-timeout)
            LOG.log(System.Logger.Level.WARNING, "Redis unreachable: an answer to another node's request to the client"
                    + " (id " + response.get("id") + ") cannot be passed on");
        }
    }

    @Override
    public Set<String> subscribers(String uri) {
        Set<String> subscribed = new HashSet<>();
        try {
            var commands = redis.commands();
            List<String> ids = List.copyOf(commands.smembers(SUBSCRIBERS + uri));
            if (ids.isEmpty()) {
                return subscribed;
            }
            // three round trips however many sessions subscribed: the members, their states, the stale ones out
            List<String> stale = new ArrayList<>();
            var states = commands.mget(ids.stream().map(id -> KEY + id).toArray(String[]::new));
            for (int i = 0; i < ids.size(); i++) {
                SessionState state = states.get(i).hasValue() ? parse(states.get(i).getValue()) : null;
                if (state != null && state.subscriptions().contains(uri)) {
                    subscribed.add(ids.get(i));
                } else {
                    stale.add(ids.get(i)); // ended, expired, or unsubscribed since
                }
            }
            if (!stale.isEmpty()) {
                commands.srem(SUBSCRIBERS + uri, stale.toArray(String[]::new));
            }
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
        return subscribed;
    }

    @Override
    public void relayResourceUpdated(String uri) {
        try {
            redis.publish(RESOURCES, redis.nodeId() + " " + uri);
        } catch (RedisException e) {
            LOG.log(System.Logger.Level.WARNING, "Redis unreachable: subscriptions/listen requests on other nodes miss"
                    + " an update of " + uri);
        }
    }

    @Override
    public void onResourceUpdated(java.util.function.Consumer<String> listener) {
        resourceListeners.add(listener);
    }

    private void resourceUpdated(String message) {
        String[] parts = message.split(" ", 2);
        if (parts.length == 2 && !parts[0].equals(redis.nodeId())) {
            resourceListeners.forEach(l -> l.accept(parts[1]));
        }
    }

    @Override
    public boolean firstToNotify(String sessionId, String method) {
        try {
            return redis.commands().set(NOTIFIED + sessionId + ":" + method, redis.nodeId(),
                    SetArgs.Builder.nx().px(1000)) != null;
        } catch (RedisException e) {
            return true; // its stream cannot be written either; say it rather than lose it
        }
    }

    @Override
    public void onAnswer(BiConsumer<String, JsonNode> listener) {
        answerListeners.add(listener);
    }

    private void answered(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length != 3 || parts[0].equals(redis.nodeId())) {
            return;
        }
        try {
            JsonNode response = Json.parse(parts[2]);
            answerListeners.forEach(l -> l.accept(parts[1], response));
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "Unreadable answer relayed by node " + parts[0] + ": " + e);
        }
    }

    private void announced(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length != 3 || parts[0].equals(redis.nodeId())) {
            return; // our own announcement
        }
        boolean ended = parts[1].equals("ended");
        for (BiConsumer<String, Boolean> l : listeners) {
            try {
                l.accept(parts[2], ended);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Applying a session change from node " + parts[0] + ": " + e);
            }
        }
    }

    static String write(SessionState s) {
        ObjectNode o = Json.object();
        o.put("id", s.id());
        o.put("clientId", s.clientId());
        o.put("transport", s.transport());
        o.put("subject", s.subject());
        s.scopes().forEach(o.putArray("scopes")::add);
        s.roles().forEach(o.putArray("roles")::add);
        o.put("version", s.version());
        o.set("capabilities", s.clientCapabilities());
        o.set("clientInfo", Json.toTree(s.clientInfo()));
        o.put("logLevel", s.logLevel() == null ? null : s.logLevel().name());
        var subscriptions = o.putArray("subscriptions");
        s.subscriptions().forEach(subscriptions::add);
        return Json.write(o);
    }

    static SessionState read(JsonNode o) {
        String level = Json.text(o, "logLevel");
        return new SessionState(o.path("id").asText(), o.path("clientId").asText(), o.path("transport").asText(),
                o.path("subject").asText(), strings(o.get("scopes")), strings(o.get("roles")),
                o.hasNonNull("version") ? o.get("version").asText() : null,
                o.hasNonNull("capabilities") ? o.get("capabilities") : null,
                o.hasNonNull("clientInfo") ? Json.toMap(o.get("clientInfo")) : null,
                level == null ? null : LogLevel.valueOf(level), strings(o.get("subscriptions")));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new HashSet<>();
        if (array != null) {
            array.forEach(v -> values.add(v.asText()));
        }
        return values;
    }
}
