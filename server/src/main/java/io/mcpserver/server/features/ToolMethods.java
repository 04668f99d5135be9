package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.CallContext;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.InFlightRequest;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Pagination;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.ProtocolVersion;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.StatelessEra;
import io.mcpserver.server.protocol.WireFormat;
import io.mcpserver.server.registry.FeatureRegistry.RegisteredTool;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.tasks.Deferred;
import io.mcpserver.server.tasks.TaskEngine;
import io.mcpserver.spi.McpProtocolException;
import io.mcpserver.spi.client.ClientRequestException;
import io.mcpserver.spi.client.UnsupportedByClientException;
import io.mcpserver.spi.tools.TaskSupport;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.tools.ToolResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** {@code tools/list} and {@code tools/call}: validation, timeouts, and turning failures into {@code isError} results. */
public final class ToolMethods {

    private static final System.Logger LOG = System.getLogger(ToolMethods.class.getName());
    private final FeatureRegistry registry;
    private final ProtocolSettings settings;
    private final AccessPolicy access;

    private final TaskEngine tasks;
    private final ScheduledExecutorService timer;
    private final Dispatcher dispatcher;

    /**
     * @param tasks      runs calls as tasks; null when this server runs none
     * @param timer      fires the per-call timeouts; owned by the core, which stops it
     * @param dispatcher the one these methods are registered with: a task's run passes its interceptors and tracing
     */
    public ToolMethods(FeatureRegistry registry, ProtocolSettings settings, AccessPolicy access, TaskEngine tasks,
                       ScheduledExecutorService timer, Dispatcher dispatcher) {
        this.registry = registry;
        this.settings = settings;
        this.access = access;
        this.tasks = tasks;
        this.timer = timer;
        this.dispatcher = dispatcher;
    }

    public void register() {
        dispatcher.register("tools/list", this::list).register("tools/call", this::call, this::target);
    }

    private JsonNode list(Request request) {
        List<RegisteredTool> visible = registry.snapshot().tools().values().stream()
                .filter(t -> access.allows(request.session().caller(), AccessPolicy.Kind.TOOL, t.name()))
                .toList();
        Pagination.Page<RegisteredTool> page = Pagination.page(visible, RegisteredTool::name, request.params(), settings.pageSize());
        ObjectNode result = Json.object();
        ArrayNode tools = result.putArray("tools");
        page.items().forEach(t -> tools.add(WireFormat.tool(t.tool().descriptor(), request.version())));
        Pagination.putCursor(result, page);
        return result;
    }

    /** The tool a call names, if the caller may call it: the dispatcher checks this at admission, before it runs. */
    private RegisteredTool target(Request request) {
        String name = request.requiredString("name");
        JsonNode arguments = request.paramsObject().get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            throw McpException.invalidParams("tools/call: 'arguments' must be an object");
        }
        RegisteredTool tool = registry.tool(name)
                .orElseThrow(() -> McpException.invalidParams("Unknown tool: " + name));
        access.check(request.session().caller(), AccessPolicy.Kind.TOOL, name,
                "Not allowed to call tool '" + name + "'");
        return tool;
    }

    private JsonNode call(Request request) throws Exception {
        RegisteredTool tool = target(request); // again: the registry may have changed since admission
        String name = request.requiredString("name");
        JsonNode arguments = request.paramsObject().get("arguments");
        if (arguments == null || arguments.isNull()) {
            arguments = Json.object();
        }
        JsonNode invalid = invalidArguments(tool, name, arguments, request.version());
        if (invalid != null) {
            return invalid;
        }
        Map<String, Object> args = Json.toMap(arguments);
        CallContext context = request.context();
        ProtocolVersion version = request.version();
        ToolDescriptor descriptor = tool.tool().descriptor();
        if (tasks != null && TaskMethods.legacyTasks(version)) {
            // 2025-11-25: the client asks for a task with params.task; the tool's execution.taskSupport decides
            boolean asked = request.paramsObject().get("task") instanceof ObjectNode;
            if (asked && descriptor.taskSupport() == TaskSupport.FORBIDDEN) {
                throw new McpException(ErrorCodes.METHOD_NOT_FOUND, "Tool '" + name + "' cannot run as a task "
                        + "(execution.taskSupport is forbidden); call it without params.task");
            }
            if (!asked && descriptor.taskSupport() == TaskSupport.REQUIRED) {
                throw new McpException(ErrorCodes.METHOD_NOT_FOUND, "Tool '" + name + "' runs only as a task "
                        + "(execution.taskSupport is required); call it with params.task");
            }
            if (asked) {
                return TaskMethods.legacyCreated(tasks.startLegacy(request.session(), "tools/call",
                        ctx -> runTask(request, ctx, tool, name, version)));
            }
        }
        if (tasks != null && !version.isLegacy() && descriptor.taskSupport() != TaskSupport.FORBIDDEN) {
            boolean declared = TaskMethods.declared(request.session());
            if (!declared && descriptor.taskSupport() == TaskSupport.REQUIRED) {
                throw TaskMethods.extensionRequired("Tool '" + name + "' runs only as a task: it");
            }
            if (declared) {
                return asTask(request, tool, name, args, descriptor);
            }
        }
        return run(tool, name, args, context, version, settings.toolTimeout(name));
    }

    /** A call the client lets run as a task: the task now, its result by tasks/get later. */
    private JsonNode asTask(Request request, RegisteredTool tool, String name, Map<String, Object> args,
                            ToolDescriptor descriptor) throws Exception {
        ProtocolVersion version = request.version();
        if (!descriptor.deferTaskStart()) {
            return TaskMethods.created(tasks.start(request.session(), "tools/call",
                    ctx -> runTask(request, ctx, tool, name, version)));
        }
        // until the tool starts its task it is an ordinary call, with the tool's time limit; it runs inside this
        // request's pass through the interceptors, and its run as a task has no second pass (nor span)
        Duration limit = settings.toolTimeout(name);
        ScheduledFuture<?> timeout = timer.schedule(() -> request.context().request().cancel(InFlightRequest.TIMEOUT),
                limit.toMillis(), TimeUnit.MILLISECONDS);
        Deferred.Outcome outcome;
        try {
            outcome = tasks.deferred(request.session(), "tools/call", request.context())
                    .run(ctx -> run(tool, name, args, ctx, version, null));
        } catch (InterruptedException e) {
            if (InFlightRequest.TIMEOUT.equals(request.context().request().cancelReason())) {
                Thread.interrupted();
                return WireFormat.toolResult(ToolResult.error("Tool '" + name + "' timed out after "
                        + limit.toSeconds() + " s before it started its task"), version);
            }
            throw e;
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            timeout.cancel(false);
        }
        return switch (outcome) {
            case Deferred.Started started -> TaskMethods.created(started.task());
            case Deferred.Result result -> result.result();
        };
    }

    /**
     * The checked arguments' refusal: null when they match the tool's input schema, else the tool error to answer
     * with (2025-11-25 on, SEP-1303: the model reads it and corrects itself).
     *
     * @throws McpException -32602 up to 2025-06-18, where it is a protocol error
     */
    private static JsonNode invalidArguments(RegisteredTool tool, String name, JsonNode arguments,
                                             ProtocolVersion version) {
        var invalid = tool.validator().validate(arguments);
        if (invalid.isEmpty()) {
            return null;
        }
        String message = "Invalid arguments for tool '" + name + "': " + invalid.get();
        if (!version.atLeast(ProtocolVersion.V2025_11_25)) {
            throw McpException.invalidParams(message);
        }
        return WireFormat.toolResult(ToolResult.error(message), version);
    }

    /**
     * The run of a call that became a task, on the task's thread: the call passes the interceptors again (now with
     * the task's id; they may refuse it or rewrite its arguments and result, as for a call) in a span that is a
     * child of the creating request's, and the tool runs with the arguments it is handed, checked again.
     */
    private JsonNode runTask(Request created, CallContext task, RegisteredTool tool, String name,
                             ProtocolVersion version) throws Exception {
        Request run = new Request(created.session(), created.id(), created.method(), created.params(), task);
        return dispatcher.runTask(run, created.context(), passed -> {
            JsonNode arguments = passed.paramsObject().get("arguments");
            if (arguments == null || arguments.isNull()) {
                arguments = Json.object();
            }
            JsonNode invalid = invalidArguments(tool, name, arguments, version);
            return invalid != null ? invalid
                    : run(tool, name, Json.toMap(arguments), passed.context(), version, null);
        });
    }

    /**
     * Runs the tool and turns what it does into a {@code CallToolResult}: a throwing tool is an {@code isError}
     * result.
     *
     * @param limit how long it may run; null for no limit (a task: its ttl and tasks/cancel stop it)
     */
    private JsonNode run(RegisteredTool tool, String name, Map<String, Object> args, CallContext context,
                         ProtocolVersion version, Duration limit) throws Exception {
        ScheduledFuture<?> timeout = limit == null ? null : timer.schedule(
                () -> context.request().cancel(InFlightRequest.TIMEOUT), limit.toMillis(), TimeUnit.MILLISECONDS);
        ToolResult result;
        try {
            result = tool.owner().call(() -> tool.tool().call(args, context));
        } catch (McpProtocolException e) {
            throw e; // the plugin chose a JSON-RPC error: the dispatcher answers with its code
        } catch (UnsupportedByClientException | ClientRequestException e) {
            if (e instanceof UnsupportedByClientException u && !version.isLegacy()) {
                throw StatelessEra.missingCapability(u.feature()); // 2026-07-28: -32021, not a tool error
            }
            result = ToolResult.error(e.getMessage());
        } catch (Exception | LinkageError e) {
            if (context.request().isAbandoned()
                    || InFlightRequest.SHUTDOWN.equals(context.request().cancelReason())) {
                throw e; // the dispatcher sends nothing for a cancelled request, an error at shutdown
            }
            result = failure(tool, e, context.request().cancelReason());
        } finally {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
        if (limit != null && InFlightRequest.TIMEOUT.equals(context.request().cancelReason())) {
            result = ToolResult.error("Tool '" + name + "' timed out after "
                    + (limit.toMillis() < 1000 ? limit.toMillis() + " ms" : limit.toSeconds() + " s"));
            Thread.interrupted();
        }
        result = result == null ? ToolResult.empty() : result;
        var mismatch = tool.output().problem(result);
        if (mismatch.isPresent()) {
            // Sent on, a client that checks (the TypeScript SDK does) would reject the whole call; a tool error
            // tells the model and the log names the plugin whose author has to fix it.
            LOG.log(System.Logger.Level.WARNING, "plugin " + tool.owner().pluginName() + ": " + mismatch.get());
            result = ToolResult.error(mismatch.get());
        }
        return WireFormat.toolResult(result, version);
    }

    /**
     * The result for a tool that threw. A {@link ToolException} (or a cancellation) says what the plugin wants the model
     * to read; any other exception is unexpected, and its message may carry internals (paths, queries, hosts), so the
     * model gets a reference to the log line that has it instead.
     */
    private static ToolResult failure(RegisteredTool tool, Throwable e, String cancelReason) {
        String name = tool.name();
        if (InFlightRequest.TIMEOUT.equals(cancelReason)) {
            return ToolResult.error("Tool '" + name + "' timed out");
        }
        if (e instanceof ToolException || e instanceof CancellationException) {
            LOG.log(System.Logger.Level.DEBUG, "tool " + name + " failed: " + e);
            return ToolResult.error(e.getMessage() == null ? "Tool '" + name + "' failed" : e.getMessage());
        }
        String reference = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        LOG.log(System.Logger.Level.WARNING, "tool " + name + " of plugin " + tool.owner().pluginName()
                + " failed unexpectedly [" + reference + "]", e);
        return ToolResult.error("Tool '" + name + "' failed with an unexpected error (reference " + reference
                + " in the server log)");
    }
}
