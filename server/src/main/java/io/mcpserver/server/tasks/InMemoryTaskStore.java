package io.mcpserver.server.tasks;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** Task records in this process's memory: today's default, for one instance. */
final class InMemoryTaskStore implements TaskStore {

    private final Map<String, TaskRecord> records = new ConcurrentHashMap<>();
    private final Clock clock;

    InMemoryTaskStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void create(TaskRecord record) {
        if (records.putIfAbsent(record.id(), record) != null) {
            throw new IllegalStateException("task id " + record.id() + " exists");
        }
    }

    @Override
    public Optional<TaskRecord> get(String id) {
        TaskRecord r = records.get(id);
        if (r != null && !clock.instant().isBefore(r.expiresAt())) {
            records.remove(id, r);
            return Optional.empty();
        }
        return Optional.ofNullable(r);
    }

    @Override
    public Optional<TaskRecord> update(String id, UnaryOperator<TaskRecord> change) {
        Instant now = clock.instant();
        return Optional.ofNullable(records.computeIfPresent(id, (k, r) ->
                now.isBefore(r.expiresAt()) ? change.apply(r) : null));
    }

    @Override
    public int purgeExpired(Instant now) {
        int before = records.size();
        records.values().removeIf(r -> !now.isBefore(r.expiresAt()));
        return before - records.size();
    }
}
