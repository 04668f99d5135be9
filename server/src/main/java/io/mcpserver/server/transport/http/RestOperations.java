package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mcpserver.server.features.TaskMethods;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.Admission;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.tasks.TaskRecord;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Asynchronous REST calls, built on the Tasks machinery: an admitted call runs as a task of the core's
 * {@link io.mcpserver.server.tasks.TaskEngine} (its id is the operation id, its record in the task store says how it
 * stands, its owner is the caller), and is read and cancelled through the dispatcher with {@code tasks/get} and
 * {@code tasks/cancel} like any task. What a task record does not hold — the call's progress and log notifications
 * — is kept here, per operation, as numbered events for {@code GET sse/progress/{id}} (resumable with
 * {@code Last-Event-ID}) until the task's ttl passes.
 */
final class RestOperations {

    private static final ObjectNode TASKS_CAPABILITY = tasksCapability();

    private final RestCalls calls;
    /** Events kept per operation for {@code Last-Event-ID} ({@code transports.http.sse-replay-buffer}). */
    private final int keep;
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();

    RestOperations(RestCalls calls, int keep) {
        this.calls = calls;
        this.keep = Math.max(1, keep);
    }

    private static ObjectNode tasksCapability() {
        ObjectNode caps = Json.object();
        caps.putObject("extensions").putObject(TaskMethods.EXTENSION);
        return caps;
    }

    /**
     * Submits {@code method} and, once admitted, runs it as a task. Returns a JSON-RPC response: the refusal's
     * error, or a result holding the operation (its id and status).
     */
    ObjectNode start(Caller caller, String method, ObjectNode params) {
        purgeExpired();
        Operation op = new Operation(keep);
        Session session = calls.session(caller, op);
        ObjectNode p = params.deepCopy();
        p.putObject("_meta").put(RequestMeta.LOG_LEVEL, "info"); // log messages become events too
        ObjectNode message = RestCalls.request(method, p, null, TextNode.valueOf("rest"));
        Admission admission = calls.core().dispatcher().submit(session, message);
        if (admission instanceof Admission.Refused refused) {
            return refused.error();
        }
        if (!(admission instanceof Admission.Admitted admitted)) {
            return JsonRpc.error(RestCalls.ID, ErrorCodes.INTERNAL_ERROR, "Internal error: not a request", null);
        }
        TaskRecord task;
        try {
            task = calls.core().tasks().start(session, method, ctx -> {
                // tasks/cancel (DELETE operations/{id}) or the task's ttl cancels the call itself
                ctx.request().onCancel(() -> session.cancel(Session.idKey(RestCalls.ID), "cancelled by the client"));
                admitted.run(op);
                ObjectNode response = op.response();
                if (response == null) {
                    throw new InterruptedException("cancelled");
                }
                JsonNode error = response.get("error");
                if (error != null) {
                    throw new McpException(error.path("code").asInt(ErrorCodes.INTERNAL_ERROR),
                            error.path("message").asText(), error.get("data"));
                }
                return response.get("result");
            }, op::end); // the stream's last event only once tasks/get (GET operations/{id}) says the same
        } catch (McpException e) { // the server already runs protocol.tasks.max-running tasks
            session.cancel(Session.idKey(RestCalls.ID), "not started: " + e.getMessage());
            admitted.run(MessageSink.DISCARD); // an admitted request runs once, even if only to end at once
            return JsonRpc.error(RestCalls.ID, e);
        }
        op.expires = task.expiresAt();
        operations.put(task.id(), op);
        ObjectNode result = Json.object();
        result.put("operationId", task.id());
        result.put("status", task.status().wireName());
        return JsonRpc.result(RestCalls.ID, result);
    }

    /** {@code tasks/get} as the caller: the operation as REST shows it, or the refusal (unknown: -32602). */
    ObjectNode get(Caller caller, String id) {
        ObjectNode params = Json.object().put("taskId", id);
        ObjectNode response = calls.call(caller, "tasks/get", params, TASKS_CAPABILITY, MessageSink.DISCARD);
        JsonNode task = response.get("result");
        if (task == null) {
            return response;
        }
        return JsonRpc.result(RestCalls.ID, view(task, operations.get(id)));
    }

    /** {@code tasks/cancel} as the caller, then the operation as it stands. */
    ObjectNode cancel(Caller caller, String id) {
        ObjectNode params = Json.object().put("taskId", id);
        ObjectNode response = calls.call(caller, "tasks/cancel", params, TASKS_CAPABILITY, MessageSink.DISCARD);
        return response.has("error") ? response : get(caller, id);
    }

    /** A task record ({@code tasks/get}) as an operation: the result plain, an error as a problem. */
    private static ObjectNode view(JsonNode task, Operation op) {
        ObjectNode v = Json.object();
        v.put("operationId", task.path("taskId").asText());
        for (String field : List.of("status", "statusMessage", "createdAt", "lastUpdatedAt", "ttlMs",
                "pollIntervalMs")) {
            if (task.has(field)) {
                v.set(field, task.get(field));
            }
        }
        if (op != null && op.lastProgress() != null) {
            v.set("progress", op.lastProgress());
        }
        if (task.has("result")) {
            v.set("result", RestCalls.plain(task.get("result")));
        }
        if (task.get("error") instanceof ObjectNode error) {
            v.set("error", problem(error));
        }
        return v;
    }

    static ObjectNode problem(JsonNode error) {
        int code = error.path("code").asInt(ErrorCodes.INTERNAL_ERROR);
        return RestProblem.body(RestProblem.status(code), code, error.path("message").asText(), error.get("data"));
    }

    /**
     * Streams an operation's events after {@code lastEventId} until its last one (the result, error or
     * cancellation), with a comment every {@code keepAlive} while nothing happens. For an operation whose events
     * this process does not hold, the final state from its record ({@code view}) is the one event.
     */
    void stream(String id, ObjectNode view, long lastEventId, SseStream.Connection out, Duration keepAlive)
            throws IOException, InterruptedException {
        Operation op = operations.get(id);
        if (op == null) {
            String status = view.path("status").asText();
            String name = switch (status) {
                case "completed" -> "result";
                case "failed" -> "error";
                case "cancelled" -> "cancelled";
                default -> "status";
            };
            JsonNode data = switch (name) {
                case "result" -> view.get("result");
                case "error" -> view.get("error");
                default -> view;
            };
            out.write(event(1, name, data == null ? view : data));
            return;
        }
        long next = lastEventId + 1;
        while (true) {
            List<Operation.Event> events = op.await(next, keepAlive);
            if (events == null) {
                out.write(SseWriter.KEEP_ALIVE);
                continue;
            }
            for (Operation.Event e : events) {
                out.write(event(e.id(), e.name(), e.data()));
                next = e.id() + 1;
                if (e.last()) {
                    return;
                }
            }
        }
    }

    private static String event(long id, String name, JsonNode data) {
        return "id: " + id + "\nevent: " + name + "\ndata: " + Json.write(data) + "\n\n";
    }

    private void purgeExpired() {
        Instant now = Instant.now();
        operations.values().removeIf(op -> op.expires != null && op.expires.isBefore(now));
    }

    /** Operations whose events are held here (tests, metrics). */
    int size() {
        return operations.size();
    }

    /** One call's events, in order: progress and log notifications, then its result, error or cancellation. */
    private static final class Operation implements MessageSink {

        record Event(long id, String name, JsonNode data, boolean last) {
        }

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        /** The newest events, at most {@code keep}: a chatty call must not hold its whole history. */
        private final java.util.ArrayDeque<Event> events = new java.util.ArrayDeque<>();
        private final int keep;
        private long lastId;
        private ObjectNode response;
        private JsonNode lastProgress;
        private boolean done;
        volatile Instant expires;

        Operation(int keep) {
            this.keep = keep;
        }

        @Override
        public void send(ObjectNode message) {
            lock.lock();
            try {
                if (done) {
                    return;
                }
                String method = message.path("method").asText(null);
                if (method == null) {
                    response = message;
                    return;
                }
                ObjectNode params = message.get("params") instanceof ObjectNode p ? p.deepCopy() : Json.object();
                params.remove("progressToken");
                params.remove("_meta");
                switch (method) {
                    case "notifications/progress" -> {
                        lastProgress = params;
                        add("progress", params, false);
                    }
                    case "notifications/message" -> add("log", params, false);
                    default -> {
                        // server→client requests have no REST form: the tool learns at once (no such capability)
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        /** The call's response once it has ended; null when it was cancelled. */
        ObjectNode response() {
            lock.lock();
            try {
                return response;
            } finally {
                lock.unlock();
            }
        }

        /** The call's outcome is recorded: its last event (the result, error or cancellation) ends the streams. */
        void end() {
            lock.lock();
            try {
                if (done) {
                    return;
                }
                if (response == null) {
                    add("cancelled", Json.object().put("status", "cancelled"), true);
                } else if (response.get("error") != null) {
                    add("error", problem(response.get("error")), true);
                } else {
                    add("result", RestCalls.plain(response.get("result")), true);
                }
                done = true;
            } finally {
                lock.unlock();
            }
        }

        private void add(String name, JsonNode data, boolean last) {
            events.add(new Event(++lastId, name, data, last));
            if (events.size() > keep && !events.peekFirst().last()) {
                events.removeFirst();
            }
            changed.signalAll();
        }

        JsonNode lastProgress() {
            lock.lock();
            try {
                return lastProgress;
            } finally {
                lock.unlock();
            }
        }

        /** The events from id {@code from} on; waits up to {@code wait} for one; null when none came. */
        List<Event> await(long from, Duration wait) throws InterruptedException {
            long left = wait.isZero() ? Long.MAX_VALUE : wait.toNanos();
            lock.lock();
            try {
                while (lastId < from) {
                    if (done) {
                        // resumed after the last event: nothing more will come, say so again
                        return List.of(events.getLast());
                    }
                    if (left <= 0) {
                        return null;
                    }
                    left = changed.awaitNanos(left);
                }
                // from the one asked for, or the oldest still kept (older ones are gone)
                return events.stream().filter(e -> e.id() >= from).toList();
            } finally {
                lock.unlock();
            }
        }
    }
}
