package io.mcpserver.server.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.CallContext;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.InFlightRequest;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Session;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The part of a task that runs in this process: its thread, and the asks it waits on. */
final class LiveTask {

    private static final System.Logger LOG = System.getLogger(LiveTask.class.getName());

    final String id;
    final TaskRecord created;
    private final TaskEngine engine;
    private final Session session;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition answered = lock.newCondition();
    /** What the work waits for now, by key; answers arrive by {@link #answer}. */
    private final Map<String, CallContext.Ask> pending = new LinkedHashMap<>();
    private final Map<String, JsonNode> answers = new LinkedHashMap<>();
    private volatile InFlightRequest request;
    private volatile String cancelledBefore;
    private volatile ScheduledFuture<?> expiry;

    /** 2025-11-25 semantics: a tool error fails the task; asks go to the client as requests on the session. */
    private final boolean legacy;

    LiveTask(TaskEngine engine, String id, Session session, TaskRecord created, boolean legacy) {
        this.engine = engine;
        this.id = id;
        this.session = session;
        this.created = created;
        this.legacy = legacy;
    }

    /** Runs the work on the calling thread and records its outcome. */
    void run(TaskEngine.Work work) {
        InFlightRequest req = InFlightRequest.ofCurrentThread("task:" + id);
        adopt(req);
        JsonNode result = null;
        Throwable failure = null;
        try {
            result = work.run(new TaskContext(session, req, this));
        } catch (Throwable t) {
            failure = t;
        }
        finish(result, failure);
    }

    /** The work runs under this request from now on (its cancellation is the task's). */
    void adopt(InFlightRequest req) {
        request = req;
        if (cancelledBefore != null) {
            req.cancel(cancelledBefore);
        }
    }

    /** Records how the work ended: its result, or a failure (a JSON-RPC error, or an internal one). */
    void finish(JsonNode result, Throwable failure) {
        try {
            if (failure == null && legacy && result != null && result.path("isError").asBoolean(false)) {
                record(r -> r.failedWith(result, "the tool reported an error", engine.clock().instant()));
            } else if (failure == null) {
                record(r -> r.completed(result, engine.clock().instant()));
            } else if (failure instanceof McpException e) {
                record(r -> r.failed(TaskEngine.errorOf(e), engine.clock().instant()));
            } else {
                InFlightRequest req = request;
                if (req == null || !req.isCancelled()) {
                    LOG.log(System.Logger.Level.ERROR, "task " + id + " (" + created.method() + ") failed", failure);
                }
                record(r -> r.failed(TaskEngine.errorOf(new McpException(
                        ErrorCodes.INTERNAL_ERROR, "Internal error while running the task; the server log has the "
                        + "details")), engine.clock().instant()));
            }
        } finally {
            engine.finished(this);
        }
    }

    /**
     * Stores the task's outcome. A shared store (a cluster's Redis) may be unreachable for a while: the outcome is
     * kept and written again with backoff until it is stored or the task's ttl has passed, so that a result is not
     * lost to a Redis restart.
     */
    private void record(java.util.function.UnaryOperator<TaskRecord> outcome) {
        long delayMs = 100;
        for (;;) {
            try {
                engine.store().update(id, outcome);
                return;
            } catch (RuntimeException e) {
                if (!engine.clock().instant().plusMillis(delayMs).isBefore(created.expiresAt())) {
                    LOG.log(System.Logger.Level.WARNING, "task " + id + ": its outcome could not be stored before its"
                            + " ttl passed: " + e.getMessage());
                    return;
                }
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException stop) {
                    LOG.log(System.Logger.Level.WARNING, "task " + id + ": its outcome was not stored: " + e.getMessage());
                    return;
                }
                delayMs = Math.min(5_000, delayMs * 2);
            }
        }
    }

    /** The timer that stops the work at the ttl; null cancels it (the work has ended). */
    void expiry(ScheduledFuture<?> timer) {
        ScheduledFuture<?> old = expiry;
        expiry = timer;
        if (timer == null && old != null) {
            old.cancel(false);
        }
    }

    void cancel(String reason) {
        InFlightRequest req = request;
        if (req == null) {
            cancelledBefore = reason;
        } else {
            req.cancel(reason);
        }
    }

    /** Waits until the client has answered every ask; meanwhile the task is {@code input_required}. */
    Map<String, JsonNode> await(Map<String, CallContext.Ask> asks) throws InterruptedException {
        lock.lock();
        try {
            pending.clear();
            answers.clear();
            pending.putAll(asks);
            publishPending();
            while (!pending.isEmpty()) {
                answered.await();
            }
            return new LinkedHashMap<>(answers);
        } finally {
            pending.clear();
            lock.unlock();
        }
    }

    /**
     * 2025-11-25: the task is {@code input_required} while the server asks the client, with requests tagged with
     * the task ({@code _meta["io.modelcontextprotocol/related-task"]}) on the session's own channel.
     */
    Map<String, JsonNode> askClient(Map<String, CallContext.Ask> asks) throws InterruptedException {
        ObjectNode waiting = Json.object();
        asks.forEach((key, ask) -> waiting.putObject(key).put("method", ask.method()).set("params", ask.params()));
        engine.store().update(id, r -> r.waitingFor(waiting, engine.clock().instant()));
        try {
            Map<String, JsonNode> answers = new LinkedHashMap<>();
            for (Map.Entry<String, CallContext.Ask> e : asks.entrySet()) {
                ObjectNode params = e.getValue().params().deepCopy();
                params.putObject("_meta").putObject(RELATED_TASK).put("taskId", id);
                answers.put(e.getKey(), engine.requester().request(session, session.standalone(),
                        e.getValue().method(), params));
            }
            return answers;
        } finally {
            engine.store().update(id, r -> r.waitingFor(null, engine.clock().instant()));
        }
    }

    static final String RELATED_TASK = "io.modelcontextprotocol/related-task";

    /** The client's answers ({@code tasks/update}); each answered ask leaves {@code inputRequests}. */
    void answer(ObjectNode responses) {
        lock.lock();
        try {
            responses.properties().forEach(e -> {
                if (pending.containsKey(e.getKey()) && e.getValue().isObject()) {
                    pending.remove(e.getKey());
                    answers.put(e.getKey(), e.getValue());
                }
            });
            publishPending();
            answered.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void publishPending() {
        ObjectNode asks = Json.object();
        pending.forEach((key, ask) -> asks.putObject(key).put("method", ask.method()).set("params", ask.params()));
        engine.store().update(id, r -> r.waitingFor(asks, engine.clock().instant()));
    }

    /** A task's view of its request: asks wait in {@code input_required}; nothing goes to a client stream. */
    private static final class TaskContext extends CallContext {
        private final LiveTask task;

        TaskContext(Session session, InFlightRequest request, LiveTask task) {
            super(session, request, io.mcpserver.server.protocol.MessageSink.DISCARD, null, null);
            this.task = task;
        }

        @Override
        protected Map<String, JsonNode> askAll(Map<String, Ask> asks) throws InterruptedException {
            return task.legacy ? task.askClient(asks) : task.await(asks);
        }

        @Override
        public String taskId() {
            return task.id;
        }
    }
}
