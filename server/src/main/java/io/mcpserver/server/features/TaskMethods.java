package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.ProtocolVersion;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.tasks.TaskEngine;
import io.mcpserver.server.tasks.TaskRecord;
import io.mcpserver.server.tasks.TaskStatus;

/**
 * {@code tasks/get}, {@code tasks/update} and {@code tasks/cancel} of the Tasks extension
 * ({@code io.modelcontextprotocol/tasks}, 2026-07-28), and the wire form of a task. A client uses them
 * only when its request declares the extension; a finished task's result or error is inlined in
 * {@code tasks/get} (there is no {@code tasks/result} and no {@code tasks/list} in the extension).
 */
public final class TaskMethods {

    public static final String EXTENSION = "io.modelcontextprotocol/tasks";

    private final TaskEngine engine;

    public TaskMethods(TaskEngine engine) {
        this.engine = engine;
    }

    public void register(Dispatcher dispatcher) {
        dispatcher.register("tasks/get", this::get)
                .register("tasks/update", this::update)
                .register("tasks/cancel", this::cancel)
                .register("tasks/result", this::result);
    }

    /** Whether the request's client declared the Tasks extension. */
    public static boolean declared(Session session) {
        JsonNode extensions = session.clientCapability("extensions");
        return extensions != null && extensions.has(EXTENSION);
    }

    /** {@code MissingRequiredClientCapabilityError} naming the extension. */
    public static McpException extensionRequired(String what) {
        ObjectNode data = Json.object();
        data.putObject("requiredCapabilities").putObject("extensions").putObject(EXTENSION);
        return new McpException(ErrorCodes.MISSING_CLIENT_CAPABILITY, what + " needs the client capability "
                + "extensions['" + EXTENSION + "'], which params._meta['" + RequestMeta.CLIENT_CAPABILITIES
                + "'] does not declare", data);
    }

    /** Whether a legacy session speaks a revision with the experimental tasks (2025-11-25). */
    public static boolean legacyTasks(ProtocolVersion version) {
        return version.isLegacy() && version.atLeast(ProtocolVersion.V2025_11_25);
    }

    private String taskId(Request request) {
        if (request.version().isLegacy()) {
            if (!legacyTasks(request.version()) || request.method().equals("tasks/update")) {
                throw new McpException(ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + request.method()
                        + (request.method().equals("tasks/update") ? " belongs to the Tasks extension of protocol "
                        + "revision 2026-07-28" : " needs protocol revision 2025-11-25 or later"));
            }
            return request.requiredString("taskId");
        }
        if (request.method().equals("tasks/result")) {
            throw new McpException(ErrorCodes.METHOD_NOT_FOUND, "Method not found: tasks/result was removed by the "
                    + "Tasks extension; tasks/get inlines the result");
        }
        if (!declared(request.session())) {
            throw extensionRequired(request.method());
        }
        return request.requiredString("taskId");
    }

    private JsonNode get(Request request) {
        String id = taskId(request);
        TaskRecord task = engine.get(request.session(), id).orElseThrow(() -> unknown(id));
        return request.version().isLegacy() ? legacyTask(task) : detailed(task);
    }

    /** {@code tasks/result} (2025-11-25): waits for the end, then answers what the request itself would have. */
    private JsonNode result(Request request) throws InterruptedException {
        String id = taskId(request);
        TaskRecord task = engine.awaitFinished(request.session(), id);
        if (task.result() != null) {
            ObjectNode result = task.result().deepCopy();
            JsonNode meta = result.get("_meta");
            ObjectNode m = meta instanceof ObjectNode o ? o : result.putObject("_meta");
            m.putObject(RELATED_TASK).put("taskId", id);
            return result;
        }
        if (task.error() != null) {
            throw new McpException(task.error().path("code").asInt(ErrorCodes.INTERNAL_ERROR),
                    task.error().path("message").asText("Internal error"), task.error().get("data"));
        }
        throw McpException.invalidRequest("Task '" + id + "' was cancelled before it produced a result");
    }

    static final String RELATED_TASK = "io.modelcontextprotocol/related-task";

    private JsonNode update(Request request) {
        String id = taskId(request);
        JsonNode responses = request.paramsObject().get("inputResponses");
        if (responses != null && !responses.isNull() && !responses.isObject()) {
            throw McpException.invalidParams("tasks/update: inputResponses must be an object that maps each key "
                    + "of the task's inputRequests to the client's result for it");
        }
        engine.update(request.session(), id, responses instanceof ObjectNode o ? o : null);
        return Json.object(); // an acknowledgement: the task's new state is for tasks/get
    }

    private JsonNode cancel(Request request) {
        String id = taskId(request);
        engine.cancel(request.session(), id);
        if (request.version().isLegacy()) {
            return legacyTask(engine.get(request.session(), id).orElseThrow(() -> unknown(id)));
        }
        return Json.object();
    }

    /** A task as 2025-11-25 shows it: {@code ttl} and {@code pollInterval} in milliseconds. */
    static ObjectNode legacyTask(TaskRecord task) {
        ObjectNode n = Json.object();
        n.put("taskId", task.id());
        n.put("status", task.status().wireName());
        if (task.statusMessage() != null) {
            n.put("statusMessage", task.statusMessage());
        }
        n.put("createdAt", task.createdAt().toString());
        n.put("lastUpdatedAt", task.lastUpdatedAt().toString());
        n.put("ttl", task.ttl().toMillis());
        n.put("pollInterval", task.pollInterval().toMillis());
        return n;
    }

    /** {@code CreateTaskResult} of 2025-11-25: the task under {@code task}. */
    public static ObjectNode legacyCreated(TaskRecord task) {
        ObjectNode n = Json.object();
        n.set("task", legacyTask(task));
        return n;
    }

    /** The {@code tasks} capability of 2025-11-25: task-augmented {@code tools/call}, cancel (no list). */
    public static ObjectNode legacyCapability() {
        ObjectNode tasks = Json.object();
        tasks.putObject("cancel");
        tasks.putObject("requests").putObject("tools").putObject("call");
        return tasks;
    }

    private static McpException unknown(String id) {
        return McpException.invalidParams("Unknown task '" + id + "': it never existed, belongs to someone else, "
                + "or its ttl has passed");
    }

    /** {@code CreateTaskResult}: the task, flat, with {@code resultType: "task"}. */
    public static ObjectNode created(TaskRecord task) {
        ObjectNode n = Json.object();
        n.put("resultType", "task");
        putTask(n, task);
        return n;
    }

    /** The {@code tasks/get} answer: the task, with its result, error or input requests inlined. */
    static ObjectNode detailed(TaskRecord task) {
        ObjectNode n = Json.object();
        putTask(n, task);
        if (task.status() == TaskStatus.COMPLETED && task.result() != null) {
            n.set("result", task.result());
        } else if (task.status() == TaskStatus.FAILED && task.error() != null) {
            n.set("error", task.error());
        } else if (task.status() == TaskStatus.INPUT_REQUIRED && task.inputRequests() != null) {
            n.set("inputRequests", task.inputRequests());
        }
        return n;
    }

    private static void putTask(ObjectNode n, TaskRecord task) {
        n.put("taskId", task.id());
        n.put("status", task.status().wireName());
        if (task.statusMessage() != null) {
            n.put("statusMessage", task.statusMessage());
        }
        n.put("createdAt", task.createdAt().toString());
        n.put("lastUpdatedAt", task.lastUpdatedAt().toString());
        n.put("ttlMs", task.ttl().toMillis());
        n.put("pollIntervalMs", task.pollInterval().toMillis());
    }
}
