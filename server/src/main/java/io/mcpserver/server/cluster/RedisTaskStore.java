package io.mcpserver.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.tasks.TaskRecord;
import io.mcpserver.server.tasks.TaskStatus;
import io.mcpserver.server.tasks.TaskStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Task records in Redis, so that {@code tasks/get}, {@code tasks/result}, {@code tasks/update} and {@code tasks/cancel}
 * work on any node: one JSON value per task ({@code mcp:task:<id>}) that Redis drops when the task's ttl has passed,
 * holding the record and the node instance running it. A change is a compare-and-set (a Lua script replaces the value
 * only if it is still the one the change was computed from, else the change is computed again), so that a cancel on
 * one node and the result on another never overwrite each other: whichever comes first is final. What a client asks
 * of a task another node runs (cancel, input responses) is published on {@code mcp:tasks} for that node.
 */
public final class RedisTaskStore implements TaskStore {

    private static final System.Logger LOG = System.getLogger(RedisTaskStore.class.getName());
    static final String KEY = "mcp:task:";
    static final String CHANNEL = "mcp:tasks";
    private static final int ATTEMPTS = 50;
    /** Replaces KEYS[1] with ARGV[2] (keeping its expiry) if it still holds ARGV[1]. */
    private static final RedisScript COMPARE_AND_SET = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
              return 1
            end
            return 0
            """);

    private final RedisLink redis;
    private final ClusterNodes nodes;
    private final CopyOnWriteArrayList<BiConsumer<String, ObjectNode>> relayListeners = new CopyOnWriteArrayList<>();

    public RedisTaskStore(RedisLink redis, ClusterNodes nodes) {
        this.redis = redis;
        this.nodes = nodes;
        redis.subscribe(CHANNEL, this::relayed);
    }

    @Override
    public void create(TaskRecord record) {
        String value = write(record, nodes.instance());
        String ok;
        try {
            ok = redis.commands().set(KEY + record.id(), value,
                    SetArgs.Builder.nx().pxAt(Math.max(record.expiresAt().toEpochMilli(), System.currentTimeMillis() + 1)));
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
        if (!"OK".equals(ok)) {
            throw new IllegalStateException("task id " + record.id() + " exists");
        }
    }

    @Override
    public Optional<TaskRecord> get(String id) {
        return Optional.ofNullable(read(id, value(id)));
    }

    @Override
    public Optional<TaskRecord> update(String id, UnaryOperator<TaskRecord> change) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String old = value(id);
            TaskRecord current = read(id, old);
            if (current == null) {
                return Optional.empty();
            }
            TaskRecord next = change.apply(current);
            if (next == current) {
                return Optional.of(current); // nothing changed (a finished task stays as it is)
            }
            String value = write(next, runner(old));
            try {
                Object done = COMPARE_AND_SET.run(redis.commands(), ScriptOutputType.INTEGER, new String[]{KEY + id},
                        old, value);
                if (Long.valueOf(1).equals(done)) {
                    return Optional.of(next);
                }
            } catch (RedisException e) {
                throw SessionStore.unavailable();
            }
        }
        throw new IllegalStateException("task " + id + " changed " + ATTEMPTS + " times while being changed");
    }

    @Override
    public int purgeExpired(Instant now) {
        return 0; // Redis drops each record when its ttl has passed
    }

    @Override
    public void relay(String id, ObjectNode responses) {
        try {
            redis.publish(CHANNEL, id + " " + (responses == null ? "cancel" : Json.write(responses)));
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
    }

    @Override
    public void onRelay(BiConsumer<String, ObjectNode> listener) {
        relayListeners.add(listener);
    }

    @Override
    public boolean runnerGone(String id) {
        String runner;
        try {
            runner = runner(redis.commands().get(KEY + id));
            return runner != null && !nodes.alive(runner);
        } catch (RedisException e) {
            return false; // cannot tell now: ask again later
        }
    }

    private void relayed(String message) {
        int space = message.indexOf(' ');
        if (space < 0) {
            return;
        }
        String id = message.substring(0, space);
        String what = message.substring(space + 1);
        ObjectNode responses = null;
        if (!what.equals("cancel")) {
            try {
                responses = Json.parse(what) instanceof ObjectNode o ? o : null;
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "Unreadable task message relayed for " + id + ": " + e);
                return;
            }
            if (responses == null) {
                return;
            }
        }
        for (BiConsumer<String, ObjectNode> l : relayListeners) {
            l.accept(id, responses);
        }
    }

    private String value(String id) {
        try {
            return redis.commands().get(KEY + id);
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
    }

    private static String runner(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Json.text(Json.parse(value), "runner");
        } catch (Exception e) {
            return null;
        }
    }

    private static TaskRecord read(String id, String value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode o = Json.parse(value);
            return new TaskRecord(o.path("id").asText(), Json.text(o, "owner"), Json.text(o, "method"),
                    TaskStatus.valueOf(o.path("status").asText()), Json.text(o, "statusMessage"),
                    Instant.ofEpochMilli(o.path("createdAt").asLong()), Instant.ofEpochMilli(o.path("lastUpdatedAt").asLong()),
                    Duration.ofMillis(o.path("ttlMs").asLong()),
                    o.hasNonNull("pollIntervalMs") ? Duration.ofMillis(o.path("pollIntervalMs").asLong()) : null,
                    o.hasNonNull("result") ? o.get("result") : null, o.hasNonNull("error") ? o.get("error") : null,
                    o.get("inputRequests") instanceof ObjectNode asks ? asks : null);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "Task record " + id + " in Redis is unreadable; ignored: " + e);
            return null;
        }
    }

    static String write(TaskRecord r, String runner) {
        ObjectNode o = Json.object();
        o.put("id", r.id());
        o.put("runner", runner);
        o.put("owner", r.owner());
        o.put("method", r.method());
        o.put("status", r.status().name());
        o.put("statusMessage", r.statusMessage());
        o.put("createdAt", r.createdAt().toEpochMilli());
        o.put("lastUpdatedAt", r.lastUpdatedAt().toEpochMilli());
        o.put("ttlMs", r.ttl().toMillis());
        if (r.pollInterval() != null) {
            o.put("pollIntervalMs", r.pollInterval().toMillis());
        }
        o.set("result", r.result());
        o.set("error", r.error());
        o.set("inputRequests", r.inputRequests());
        return Json.write(o);
    }
}
