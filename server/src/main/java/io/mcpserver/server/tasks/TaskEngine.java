package io.mcpserver.server.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.CallContext;
import io.mcpserver.server.protocol.ClientRequester;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.TaskSettings;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs requests as tasks: each on a virtual thread of its own, detached from the request that started it,
 * so it keeps running when the client goes away and its outcome stays in the {@link TaskStore} for the task's
 * TTL. What runs here (the live part: the thread, the asks it waits on) belongs to this process; what clients
 * read is the record in the store.
 */
public final class TaskEngine {

    private static final System.Logger LOG = System.getLogger(TaskEngine.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The work of one task: a request's handler, given the task's context; returns the request's result. */
    @FunctionalInterface
    public interface Work {
        JsonNode run(CallContext context) throws Exception;
    }

    private final TaskSettings settings;
    /** In memory, or (a cluster) shared by every node: then a task created here is read and cancelled on any node. */
    private volatile TaskStore store;
    private final Clock clock;
    /** Stops a task's work when its ttl passes; one timer for every engine (tests make many). */
    private static final ScheduledExecutorService EXPIRY = expiryTimer();

    private static ScheduledExecutorService expiryTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mcp-task-expiry");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // most tasks end long before their ttl
        return timer;
    }

    private final Map<String, LiveTask> live = new ConcurrentHashMap<>();
    private final AtomicLong nextPurge = new AtomicLong();

    private final ClientRequester requester;

    /** @param requester sends a legacy task's asks to its client */
    public TaskEngine(TaskSettings settings, TaskStore store, Clock clock, ClientRequester requester) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.requester = requester;
    }

    ClientRequester requester() {
        return requester;
    }

    public TaskSettings settings() {
        return settings;
    }

    public TaskStore store() {
        return store;
    }

    /**
     * Keeps task records in {@code shared} (a cluster's Redis) instead, before any task runs: a task created on
     * this node is read, answered and cancelled on any other, which relays the cancel and the answers here.
     */
    public void shareStore(TaskStore shared) {
        this.store = shared;
        shared.onRelay((id, responses) -> {
            LiveTask task = live.get(id);
            if (task == null) {
                return; // another node runs it
            }
            if (responses == null) {
                task.cancel("cancelled by the client");
            } else {
                task.answer(responses);
            }
        });
    }

    /**
     * Creates a task for {@code work} and starts it; returns once the record is stored, so that a
     * {@code tasks/get} right after the answer finds it.
     *
     * @param session the request's session: its caller owns the task, its client capabilities stay in force
     * @throws McpException when this process already runs {@link TaskSettings#maxRunning()} tasks
     */
    public TaskRecord start(Session session, String method, Work work) {
        return start(session, method, work, () -> { });
    }

    /**
     * {@link #start(Session, String, Work)}, and {@code whenRecorded} runs on the task's thread once its outcome is
     * in the store (or could not be stored before its ttl): whatever it tells a client about the end agrees with
     * {@code tasks/get}.
     */
    public TaskRecord start(Session session, String method, Work work, Runnable whenRecorded) {
        LiveTask task = admit(session, method, false);
        Thread.ofVirtual().name("mcp-task-" + task.id).start(() -> {
            try {
                task.run(work);
            } finally {
                whenRecorded.run();
            }
        });
        return task.created;
    }

    /**
     * A task of the 2025-11-25 experimental kind: a tool error fails it, its asks are requests to the client
     * on the session's own channel.
     */
    public TaskRecord startLegacy(Session session, String method, Work work) {
        LiveTask task = admit(session, method, true);
        Thread.ofVirtual().name("mcp-task-" + task.id).start(() -> task.run(work));
        return task.created;
    }

    /**
     * Runs {@code work} on a thread of its own that becomes a task only when the work calls
     * {@link Deferred#startTask()} (tools that gather input in the request before they go on alone).
     * Returns what happened first: the work's result, its failure, or the task it started.
     */
    public Deferred deferred(Session session, String method, CallContext requestContext) {
        return new Deferred(this, session, method, requestContext);
    }

    LiveTask admit(Session session, String method, boolean legacy) {
        if (live.size() >= settings.maxRunning()) {
            throw new McpException(ErrorCodes.LIMIT_EXCEEDED, "This server runs " + settings.maxRunning()
                    + " tasks already (protocol.tasks.max-running); try again later");
        }
        long now = clock.millis();
        long purge = nextPurge.get();
        if (now >= purge && nextPurge.compareAndSet(purge, now + 10_000)) {
            store.purgeExpired(clock.instant()); // finished tasks' records go once their ttl has passed
        }
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        TaskRecord record = TaskRecord.working(id, owner(session), method, clock.instant(), settings.ttl(),
                settings.pollInterval());
        store.create(record);
        LiveTask task = new LiveTask(this, id, session, record, legacy);
        live.put(id, task);
        task.expiry(EXPIRY.schedule(() -> task.cancel("the task's ttl passed"), settings.ttl().toMillis(),
                TimeUnit.MILLISECONDS));
        return task;
    }

    /**
     * The caller's view of a task: empty when it is unknown, expired or someone else's. A task whose node died
     * (a cluster) is failed here, once, so that its client stops waiting for it.
     */
    public Optional<TaskRecord> get(Session session, String id) {
        Optional<TaskRecord> found = store.get(id).filter(r -> Objects.equals(r.owner(), owner(session)));
        if (found.isPresent() && !found.get().status().isTerminal() && live.get(id) == null && store.runnerGone(id)) {
            return store.update(id, r -> r.failed(errorOf(new McpException(ErrorCodes.INTERNAL_ERROR,
                    "The node that ran this task stopped before it finished; start it again")), clock.instant()));
        }
        return found;
    }

    /**
     * Hands the client's answers to a task waiting for input; answers under keys it does not wait for
     * are ignored.
     *
     * @throws McpException -32602 for an unknown task
     */
    public void update(Session session, String id, ObjectNode responses) {
        TaskRecord record = get(session, id).orElseThrow(() -> unknown(id));
        LiveTask task = live.get(record.id());
        if (task != null && responses != null) {
            task.answer(responses);
        } else if (responses != null && !record.status().isTerminal()) {
            store.relay(id, responses); // it runs on another node of the cluster
        }
    }

    /**
     * Cancels a task: its status becomes {@code cancelled} (a finished task keeps its status) and its
     * work is interrupted.
     *
     * @throws McpException -32602 for an unknown task
     */
    public void cancel(Session session, String id) {
        TaskRecord record = get(session, id).orElseThrow(() -> unknown(id));
        if (record.status().isTerminal() && live.get(id) == null && legacyRefusesTerminal(session)) {
            throw McpException.invalidParams("Task '" + id + "' is already " + record.status().wireName()
                    + " and cannot be cancelled");
        }
        store.update(id, r -> r.to(TaskStatus.CANCELLED, "cancelled by the client", clock.instant()));
        LiveTask task = live.get(id);
        if (task != null) {
            task.cancel("cancelled by the client");
        } else if (!record.status().isTerminal()) {
            store.relay(id, null); // it runs on another node of the cluster
        }
    }

    /** 2025-11-25 refuses to cancel a finished task (-32602); the 2026-07-28 extension acknowledges it. */
    private static boolean legacyRefusesTerminal(Session session) {
        return session.protocolVersion() != null && session.protocolVersion().isLegacy();
    }

    /**
     * Waits until the task is finished ({@code tasks/result} of 2025-11-25); returns its final record.
     *
     * @throws McpException -32602 for an unknown task
     */
    public TaskRecord awaitFinished(Session session, String id) throws InterruptedException {
        for (;;) {
            TaskRecord record = get(session, id).orElseThrow(() -> unknown(id));
            if (record.status().isTerminal()) {
                return record;
            }
            Thread.sleep(Math.min(100, settings.pollInterval().toMillis()));
        }
    }

    /** Shutdown: cancels every running task; returns how many there were. */
    public int cancelAll(String reason) {
        List<LiveTask> running = List.copyOf(live.values());
        for (LiveTask task : running) {
            store.update(task.id, r -> r.to(TaskStatus.CANCELLED, reason, clock.instant()));
            task.cancel(reason);
        }
        return running.size();
    }

    public void close() {
        cancelAll("the server is stopping");
    }

    void finished(LiveTask task) {
        live.remove(task.id, task);
        task.expiry(null);
    }

    Clock clock() {
        return clock;
    }

    static String owner(Session session) {
        return Objects.toString(session.caller() == null ? null : session.caller().subject(), "");
    }

    static McpException unknown(String id) {
        return McpException.invalidParams("Unknown task '" + id + "': it never existed, belongs to someone else, "
                + "or its ttl has passed");
    }

    /** The error object of a failed task, as a JSON-RPC error carries it. */
    static ObjectNode errorOf(McpException e) {
        ObjectNode error = Json.object();
        error.put("code", e.code());
        error.put("message", e.getMessage());
        if (e.data() != null) {
            error.set("data", e.data());
        }
        return error;
    }
}
