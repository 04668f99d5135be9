package io.mcpserver.server.tasks;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where task records live. In memory by default ({@link #inMemory}); a cluster store (Redis) implements
 * the same four operations so that any instance can answer {@code tasks/get} for a task another one runs.
 * A store forgets a record once its TTL has passed.
 */
public interface TaskStore {

    /** Stores a new record; when this returns, {@link #get} finds it (the client may ask at once). */
    void create(TaskRecord record);

    /** The record, unless unknown or expired. */
    Optional<TaskRecord> get(String id);

    /**
     * Changes a record atomically: {@code change} gets the current record and returns the new one
     * (it may run more than once when a store retries on contention, so it must be free of side effects).
     *
     * @return the stored record after the change; empty when unknown or expired
     */
    Optional<TaskRecord> update(String id, UnaryOperator<TaskRecord> change);

    /** Drops records whose TTL has passed; returns how many. */
    int purgeExpired(Instant now);

    /**
     * A cluster store passes what a client asked of a task (cancel, or input responses) on to every instance, for
     * the one running it; a store of one process has nobody to tell.
     *
     * @param responses the client's input responses ({@code tasks/update}); null: cancel the task
     */
    default void relay(String id, com.fasterxml.jackson.databind.node.ObjectNode responses) {
    }

    /** Calls {@code listener(id, responses)} with what another instance relayed (responses null: cancel). */
    default void onRelay(java.util.function.BiConsumer<String, com.fasterxml.jackson.databind.node.ObjectNode> listener) {
    }

    /**
     * Whether the instance that created this still-running task is gone (a cluster node that died): its work will
     * never finish. A store of one process runs every task it holds.
     */
    default boolean runnerGone(String id) {
        return false;
    }

    static TaskStore inMemory(Clock clock) {
        return new InMemoryTaskStore(clock);
    }
}
