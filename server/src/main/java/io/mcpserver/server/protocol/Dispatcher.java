package io.mcpserver.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.McpProtocolException;
import io.mcpserver.spi.client.UnsupportedByClientException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place every transport hands its messages to. {@link #submit} is the entry: it classifies a message,
 * acts on notifications and responses at once, and <em>admits</em> a request synchronously — params shape, the
 * {@link RequestHook}'s rate limits, the era's and the lifecycle's rules, the method, the in-flight limit, the id,
 * and the method's own {@link AccessCheck} (the access rules) — so that a transport knows the outcome before it
 * picks an HTTP status or opens a stream. An admitted request counts as running from then on (shutdown waits for
 * it, cancellation finds it) and runs when the transport says so; after it, the hook writes the audit record.
 * Rules that must hold on every transport live here.
 */
public final class Dispatcher {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    /** Methods a legacy client may send before {@code initialize}. */
    private static final Set<String> BEFORE_INITIALIZE = Set.of("initialize", "ping");

    private final Map<String, MethodHandler> methods = new HashMap<>();
    private final Map<String, AccessCheck> accessChecks = new HashMap<>();
    private final ProtocolSettings settings;
    private final ClientRequester requester;
    private final RequestHook hook;
    private final StatelessEra era;
    private final Interception interception;
    private final RequestTracing tracing;
    /** Every request running now, on every transport (stateless-era ones belong to no registered session). */
    private final Set<InFlightRequest> running = ConcurrentHashMap.newKeySet();
    private final RefusalHoldOff holdOff;
    /** Requests running per principal, counted once a transport bounds them (else null: nothing counted). */
    private volatile PrincipalInFlight inFlightPerPrincipal;

    public Dispatcher(ProtocolSettings settings) {
        this(settings, RequestHook.NONE);
    }

    public Dispatcher(ProtocolSettings settings, RequestHook hook) {
        this(settings, hook, Interception.NONE);
    }

    /** @param interception what wraps the run of every admitted request (the plugins' interceptors) */
    public Dispatcher(ProtocolSettings settings, RequestHook hook, Interception interception) {
        this(settings, hook, interception, RequestTracing.OFF);
    }

    /** @param tracing the span of every request ({@link RequestTracing#OFF} unless {@code tracing.enabled}) */
    public Dispatcher(ProtocolSettings settings, RequestHook hook, Interception interception, RequestTracing tracing) {
        this.interception = interception;
        this.tracing = tracing;
        this.settings = settings;
        this.requester = new ClientRequester(settings.clientRequestTimeout());
        this.hook = hook;
        this.era = new StatelessEra(settings);
        this.holdOff = RefusalHoldOff.system(hook::principal);
    }

    /**
     * Where the ids of accepted {@code requestState}s are kept (default: this process's memory); a cluster shares one
     * store, so that a state is good for one retry on whichever node it reaches.
     */
    public void spentStates(SpentStates store) {
        era.spentStates(store);
    }

    public Dispatcher register(String method, MethodHandler handler) {
        methods.put(method, handler);
        return this;
    }

    /** A method whose requests name something the access rules govern: {@code check} runs at admission. */
    public Dispatcher register(String method, MethodHandler handler, AccessCheck check) {
        accessChecks.put(method, check);
        return register(method, handler);
    }

    public ProtocolSettings settings() {
        return settings;
    }

    /** Whether a method is one this dispatcher routes (for metrics: client-chosen names are no labels). */
    public boolean handles(String method) {
        return methods.containsKey(method);
    }

    /** Whether requests are traced: a transport then passes its own trace context ({@link TraceHeaders}). */
    public boolean traces() {
        return tracing != RequestTracing.OFF;
    }

    public ClientRequester requester() {
        return requester;
    }

    /**
     * For connection transports: parses one message and {@link #accept(Session, JsonNode, MessageSink) accepts} it;
     * an unparseable one is answered with -32700.
     */
    public void accept(Session session, String raw, MessageSink sink) {
        JsonNode message;
        try {
            message = Json.parse(raw);
        } catch (JsonProcessingException e) {
            LOG.log(System.Logger.Level.INFO, session + ": unparseable message: " + e.getOriginalMessage());
            sink.send(JsonRpc.error(NullNode.getInstance(), ErrorCodes.PARSE_ERROR,
                    "Parse error: " + e.getOriginalMessage(), null));
            return;
        }
        accept(session, message, sink);
    }

    /**
     * For connection transports: {@link #submit}s one message and answers on {@code sink}. A refusal is sent at
     * once (and a client that ignores a rate limit's retry hint is not read from for that time: see
     * {@link RefusalHoldOff}); an admitted request runs on a virtual thread of its own, so a slow tool never holds
     * up the connection ({@code initialize} runs in order, on this thread).
     */
    public void accept(Session session, JsonNode message, MessageSink sink) {
        switch (submit(session, message)) {
            case Admission.Handled handled -> {
            }
            case Admission.Refused refused -> {
                sink.send(refused.error());
                holdOff.refused(session, refused.error());
            }
            case Admission.Admitted admitted -> {
                if ("initialize".equals(message.path("method").asText())) {
                    admitted.run(sink);
                } else {
                    admitted.start(sink, () -> { });
                }
            }
        }
    }

    /**
     * For transports that answer a refusal themselves (Streamable HTTP): call with the answer once it was sent, on
     * the thread that reads the client's next request. Returns at once unless it is a rate limit's refusal and the
     * client was already told to wait past now (see {@link RefusalHoldOff}).
     */
    public void holdOff(Session session, ObjectNode answer) {
        holdOff.refused(session, answer);
    }

    /**
     * For connection transports, before reading a client's next message: returns at once, unless the client's principal
     * ran into its rate limit lately, when it waits for the principal's turn (one message at a time over all its
     * connections) and while the principal is held (see {@link RefusalHoldOff}). Close the turn once the message was
     * handed on.
     */
    public ReadTurn turn(Session session) {
        return holdOff.turn(session);
    }

    /**
     * For connection transports (TCP, WebSocket), after handing one message on, and for Streamable HTTP before reading
     * a request's body: returns at once, unless the session's principal ran into its rate limit lately, when it waits
     * for the principal's next read slot (its connections together are read at its rate, and at
     * {@code limits.rate.paced-bytes-per-second}, {@code bytes} being the size of the message: see
     * {@link RefusalHoldOff}); then, with {@code maxInFlight} above 0, waits while the principal has that many
     * requests running over all its sessions (at most a second; then the caller reads on): one principal cannot keep
     * more than that many requests queued before everyone else's. The caller reads nothing of the connection
     * meanwhile, so the client is slowed by TCP flow control.
     */
    public void paceReading(Session session, int maxInFlight, long bytes) {
        holdOff.paceReading(session, () -> hook.refusedForNanos(session), hook.tokenIntervalNanos(session), bytes,
                hook.pacedBytesPerSecond(session));
        PrincipalInFlight counts = inFlightPerPrincipal;
        if (maxInFlight > 0 && counts != null) {
            counts.awaitBelow(hook.principal(session), maxInFlight, PrincipalInFlight.MAX_WAIT_NANOS);
        }
    }

    /** Whether any principal has been refused by a rate limit (a transport may skip looking up a principal if not). */
    public boolean pacesAnyone() {
        return holdOff.pacesAnyone();
    }

    /**
     * From now on, requests running are counted per principal, for {@link #paceReading}: a transport
     * that bounds them calls this once, before it takes clients (requests admitted before are not counted).
     */
    public void countInFlightPerPrincipal() {
        if (inFlightPerPrincipal == null) {
            inFlightPerPrincipal = new PrincipalInFlight();
        }
    }

    /**
     * For connection transports, before parsing a message: while the session's principal is certainly refused by the
     * rate limits (its bucket is empty, or its last refusal's retry time has not come), a request is refused from its
     * id and method alone, read with a streaming scan that skips everything else ({@link RequestHead}): answered on
     * {@code sink}, audited and counted as any refusal, and the principal held if it ignored the hint. Returns false
     * when the message is to be parsed and {@link #accept accepted} as usual (not refused, or not a request).
     */
    public boolean refusedUnparsed(Session session, byte[] utf8, int length, MessageSink sink) {
        long wait = refusedForNanos(session);
        McpException overBytes = wait > 0 ? null : hook.takeBytes(session, length);
        if (wait <= 0 && overBytes == null) {
            return false;
        }
        RequestHead head = RequestHead.of(utf8, 0, length);
        return head != null && refuse(session, head, wait, overBytes, sink);
    }

    /** The same for a message already decoded (WebSocket text; its length in chars is counted as its bytes). */
    public boolean refusedUnparsed(Session session, String message, MessageSink sink) {
        long wait = refusedForNanos(session);
        McpException overBytes = wait > 0 ? null : hook.takeBytes(session, message.length());
        if (wait <= 0 && overBytes == null) {
            return false;
        }
        RequestHead head = RequestHead.of(message);
        return head != null && refuse(session, head, wait, overBytes, sink);
    }

    /**
     * For Streamable HTTP, before a request's body of {@code bytes} (its declared length) is read: takes them from the
     * principal's byte budget and returns null; or, without room for them, returns the error to answer (429) without
     * reading the body, counted (call {@link #holdOff} once it was sent: the principal is then paced as after any
     * rate-limit refusal). Not audited: the method is in the body.
     */
    public ObjectNode refusedBody(Session session, long bytes) {
        McpException refusal = hook.takeBytes(session, bytes);
        return refusal == null ? null : JsonRpc.error(NullNode.getInstance(), refusal);
    }

    /** Whether messages are counted against a byte budget ({@link RequestHook#takeBytes}). */
    public boolean countsBytes() {
        return hook.countsBytes();
    }

    private long refusedForNanos(Session session) {
        return Math.max(hook.refusedForNanos(session), holdOff.toldToWaitNanos(session));
    }

    /**
     * Refuses a request from its head: for {@code overBytes} (its principal's byte budget had no room for it) or,
     * when that is null, because its principal is refused for {@code waitNanos} still.
     */
    private boolean refuse(Session session, RequestHead head, long waitNanos, McpException overBytes,
                           MessageSink sink) {
        long started = System.nanoTime();
        session.touch();
        McpException refusal = overBytes != null ? overBytes : hook.refusedUnparsed(session, head.method(), waitNanos);
        if (tracing != RequestTracing.OFF) {
            endTrace(beginTrace(session, false, head.id(), head.method(), head.params(), TraceHeaders.current()), null,
                    refusal, false);
        }
        completed(head.id(), new RequestHook.Completion(session, head.method(), head.params(), null, refusal, false,
                System.nanoTime() - started));
        ObjectNode error = JsonRpc.error(head.id(), refusal);
        sink.send(error);
        holdOff.refused(session, error);
        return true;
    }

    /**
     * Submits one message and, for an admitted request, runs it on this thread: returns once its response has been
     * sent to {@code sink} (or it was cancelled). A refusal is sent to {@code sink} too.
     */
    public void handle(Session session, JsonNode message, MessageSink sink) {
        switch (submit(session, message)) {
            case Admission.Handled handled -> {
            }
            case Admission.Refused refused -> sink.send(refused.error());
            case Admission.Admitted admitted -> admitted.run(sink);
        }
    }

    /**
     * The one entry into the core for every transport. Notifications and responses are acted on at once, in
     * order. A request is admitted or refused here, synchronously, on the caller's thread, before anything runs:
     * see {@link Admission}. A refusal is audited already; the transport only answers it.
     */
    public Admission submit(Session session, JsonNode message) {
        session.touch();
        MessageTrace.received(session, message);
        switch (JsonRpc.kind(message)) {
            case REQUEST -> {
                return admit(session, (ObjectNode) message);
            }
            case NOTIFICATION -> handleNotification(session, message);
            case RESPONSE -> {
                if (!session.completeClientRequest(message)) {
                    LOG.log(System.Logger.Level.DEBUG, session + ": response to unknown request id " + message.get("id"));
                }
            }
            case INVALID -> {
                if (message != null && message.isArray()) {
                    return new Admission.Refused(JsonRpc.error(NullNode.getInstance(), ErrorCodes.INVALID_REQUEST,
                            "Invalid Request: JSON-RPC batches are not supported; send one message at a time", null));
                }
                return new Admission.Refused(JsonRpc.error(JsonRpc.idOrNull(message), ErrorCodes.INVALID_REQUEST,
                        "Invalid Request: expected a JSON-RPC 2.0 request, notification or response "
                                + "(\"jsonrpc\": \"2.0\", a string \"method\", a string or integer \"id\")", null));
            }
        }
        return Admission.HANDLED;
    }

    private void handleNotification(Session session, JsonNode message) {
        String method = message.get("method").asText();
        JsonNode params = message.path("params");
        switch (method) {
            case "notifications/initialized" -> {
                // the handshake's last step: nothing waits for it (a session is served once initialize succeeded)
            }
            case "notifications/cancelled" -> {
                JsonNode id = params.get("requestId");
                if (JsonRpc.validId(id)) {
                    String reason = Json.text(params, "reason");
                    session.cancel(Session.idKey(id), reason == null ? "cancelled by the client" : reason);
                }
            }
            default -> LOG.log(System.Logger.Level.DEBUG, session + ": notification " + method);
        }
    }

    /** The admission of one request: refused with its error, or registered as running and handed back to run. */
    private Admission admit(Session session, ObjectNode message) {
        long started = System.nanoTime();
        JsonNode id = message.get("id");
        String method = message.get("method").asText();
        JsonNode params = message.get("params");
        boolean stateless = era.claims(session, method, params); // the 2026-07-28 era: no handshake, _meta per request
        McpException refusal = admission(session, method, params, stateless);
        InFlightRequest inFlight = refusal == null ? session.begin(Session.idKey(id)) : null;
        if (refusal == null && inFlight == null) {
            refusal = McpException.invalidRequest("Request id " + id + " is already in use");
        }
        if (refusal == null) {
            refusal = accessRefusal(session, id, method, params, stateless);
            if (refusal != null) {
                session.end(inFlight);
            }
        }
        if (refusal != null) {
            if (tracing != RequestTracing.OFF) { // a refused request has its span too, ended at once
                endTrace(beginTrace(session, stateless, id, method, params, TraceHeaders.current()), null, refusal,
                        false);
            }
            completed(id, new RequestHook.Completion(session, method, params, null, refusal, false,
                    System.nanoTime() - started));
            return new Admission.Refused(JsonRpc.error(id, refusal));
        }
        running.add(inFlight); // from here on shutdown waits for it, whichever thread will run it
        PrincipalInFlight counts = inFlightPerPrincipal;
        if (counts != null) {
            Object principal = hook.principal(session);
            inFlight.countedFor = principal;
            counts.begin(principal);
        }
        // the transport's trace context (HTTP headers) is on this thread only: take it now for the run
        TraceHeaders headers = tracing == RequestTracing.OFF ? null : TraceHeaders.current();
        return new Admission.Admitted(sink -> run(session, id, method, params, stateless, inFlight, sink, started,
                headers),
                () -> "mcp-" + session.clientId() + "-" + id.asText());
    }

    /** The method's access check (the rules for the tool, resource or prompt it names); null when it may go on. */
    private McpException accessRefusal(Session session, JsonNode id, String method, JsonNode params,
                                       boolean stateless) {
        AccessCheck check = accessChecks.get(method);
        if (check == null) {
            return null;
        }
        try {
            check.check(new Request(session, id, method, params, null));
            return null;
        } catch (McpException e) {
            return stateless ? StatelessEra.error(e) : e;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, session + ": internal error admitting " + method, e);
            return new McpException(ErrorCodes.INTERNAL_ERROR, "Internal error while handling " + method
                    + "; the server log has the details");
        }
    }

    /** Runs an admitted request on the current thread and sends its response (unless it was cancelled). */
    private void run(Session session, JsonNode id, String method, JsonNode params, boolean stateless,
                     InFlightRequest inFlight, MessageSink sink, long started, TraceHeaders headers) {
        inFlight.runOn(Thread.currentThread());
        RequestTracing.Trace trace = beginTrace(session, stateless, id, method, params, headers);
        JsonNode result = null;
        McpException error = null;
        CallContext context = null;
        boolean answered = false; // a client that closes right after reading its answer did not cancel it
        try {
            if (inFlight.isCancelled()) {
                throw new InterruptedException("cancelled before it ran");
            }
            JsonNode progressToken = params == null ? null : params.path("_meta").get("progressToken");
            Session served = stateless ? StatelessEra.sessionFor(session, RequestMeta.read(params), sink) : session;
            context = stateless ? era.context(served, inFlight, sink, progressToken, requester, method, params)
                    : new CallContext(session, inFlight, sink, progressToken, requester);
            if (trace != RequestTracing.Trace.NONE) {
                context.traced(trace);
            }
            result = interception.around(new Request(served, id, method, params, context), methods.get(method));
            if (context instanceof StatelessCallContext m) {
                result = m.needsInput() ? era.inputRequired(m) : era.complete(method, params, result);
            }
            if (!inFlight.isAbandoned()) {
                sink.send(JsonRpc.result(id, result));
                answered = true;
            }
        } catch (InputRequired e) {
            result = era.inputRequired((StatelessCallContext) context);
            if (!inFlight.isAbandoned()) {
                sink.send(JsonRpc.result(id, result));
                answered = true;
            }
        } catch (UnsupportedByClientException e) {
            // a prompt or resource asked for something the client cannot give (tools turn this into a result)
            error = stateless ? StatelessEra.missingCapability(e.feature())
                    : McpException.invalidParams(method + " needs something the client did not declare: " + e.getMessage());
            if (!inFlight.isAbandoned()) {
                sink.send(JsonRpc.error(id, error));
            }
        } catch (McpException | McpProtocolException e) {
            McpException answer = e instanceof McpProtocolException p // a plugin's deliberate JSON-RPC error
                    ? new McpException(p.code(), p.getMessage(), p.data() == null ? null : Json.toTree(p.data()))
                    : (McpException) e;
            error = stateless ? StatelessEra.error(answer) : answer;
            if (!inFlight.isAbandoned()) {
                sink.send(JsonRpc.error(id, error));
                answered = true;
            }
        } catch (InterruptedException e) {
            error = new McpException(ErrorCodes.INTERNAL_ERROR, "Internal error: request interrupted");
            if (InFlightRequest.SHUTDOWN.equals(inFlight.cancelReason())) {
                error = shutdownCancelled();
                sink.send(JsonRpc.error(id, error));
            } else if (!inFlight.isAbandoned()) {
                LOG.log(System.Logger.Level.WARNING, session + ": " + method + " interrupted without cancellation");
                sink.send(JsonRpc.error(id, error));
                answered = true;
            }
        } catch (Exception | LinkageError | StackOverflowError e) {
            error = new McpException(ErrorCodes.INTERNAL_ERROR, "Internal error while handling " + method
                    + "; the server log has the details");
            if (InFlightRequest.SHUTDOWN.equals(inFlight.cancelReason())) {
                error = shutdownCancelled(); // the plugin saw the interrupt as a failure of its own
                sink.send(JsonRpc.error(id, error));
            } else if (!inFlight.isAbandoned()) {
                LOG.log(System.Logger.Level.ERROR, session + ": internal error in " + method, e);
                sink.send(JsonRpc.error(id, error));
                answered = true;
            }
        } finally {
            running.remove(inFlight);
            Object principal = inFlight.countedFor;
            if (principal != null) {
                inFlightPerPrincipal.end(principal);
            }
            session.touch(); // idle time counts from the end of the last request, not its start
            session.end(inFlight);
            inFlight.finished(); // no cancellation interrupts this thread from now on
            Thread.interrupted(); // never leak a cancellation interrupt to the transport's thread
            boolean cancelled = !answered && inFlight.isAbandoned();
            endTrace(trace, cancelled ? null : result, cancelled ? null : error, cancelled);
            completed(id, new RequestHook.Completion(session, method, params, cancelled ? null : result,
                    cancelled ? null : error, cancelled, System.nanoTime() - started));
        }
    }

    /**
     * Runs the part of a request that goes on as a task after the request was answered (a {@code tools/call} the
     * client let run as one), on the task's thread: through the interceptors again — they see the task's id
     * ({@link CallContext#taskId()}) — and in a span of its own, a child of the creating request's span. What it
     * returns or throws is the task's outcome; a plugin's JSON-RPC error comes out as an {@link McpException}.
     *
     * @param run     the request as its run sees it: the creating request's params as the interceptors passed them
     *                on, with the task's context
     * @param creator the context of the request that created the task
     */
    public JsonNode runTask(Request run, CallContext creator, MethodHandler handler) throws Exception {
        RequestTracing.Trace trace = RequestTracing.Trace.NONE;
        if (tracing != RequestTracing.OFF) {
            try {
                trace = creator.trace().taskRun(run.context().taskId());
            } catch (RuntimeException e) { // tracing never decides a task's fate
                LOG.log(System.Logger.Level.WARNING, "starting the trace of task " + run.context().taskId()
                        + " failed: " + e);
            }
            run.context().traced(trace);
        }
        JsonNode result = null;
        McpException error = null;
        boolean cancelled = false;
        try {
            result = interception.around(run, handler);
            return result;
        } catch (McpProtocolException p) {
            error = new McpException(p.code(), p.getMessage(), p.data() == null ? null : Json.toTree(p.data()));
            throw error;
        } catch (McpException e) {
            error = e;
            throw e;
        } catch (Exception | Error e) {
            cancelled = e instanceof InterruptedException || run.context().isCancelled();
            if (!cancelled) {
                error = new McpException(ErrorCodes.INTERNAL_ERROR, "Internal error while running the task");
            }
            throw e;
        } finally {
            endTrace(trace, result, error, cancelled);
        }
    }

    /**
     * Shutdown: waits until no request runs (long-lived ones such as {@code subscriptions/listen} aside) or
     * the timeout passes; true when none does.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running.stream().anyMatch(r -> !r.isLongLived())) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private static McpException shutdownCancelled() {
        ObjectNode data = Json.object();
        data.put("reason", "cancelled");
        return new McpException(ErrorCodes.INTERNAL_ERROR, "Cancelled: the server is shutting down and the request "
                + "was still running when its shutdown grace period ended; send it again once the server is back", data);
    }

    /**
     * Shutdown: cancels every request still running; returns how many there were. With
     * {@link InFlightRequest#SHUTDOWN} as the reason each gets an error reply (-32603, {@code data.reason: cancelled}).
     */
    public int cancelAll(String reason) {
        int n = 0;
        for (InFlightRequest r : List.copyOf(running)) {
            r.cancel(reason);
            n++;
        }
        return n;
    }

    /** The checks a request must pass before it runs, in order; null when it may run, else the first refusal. */
    private McpException admission(Session session, String method, JsonNode params, boolean stateless) {
        if (params != null && !params.isObject() && !params.isNull()) {
            return McpException.invalidParams("params must be an object");
        }
        try {
            hook.admit(session, method, params); // rate limits: every request counts, whatever it asks for
        } catch (McpException e) {
            return e;
        }
        if (stateless) {
            try {
                StatelessEra.checkMethod(method);
                RequestMeta.read(params);
            } catch (McpException e) {
                return e;
            }
        } else if (StatelessEra.STATELESS_ONLY.contains(method)) {
            return new McpException(ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method + " belongs to "
                    + "protocol revision 2026-07-28 and needs its _meta (" + RequestMeta.PROTOCOL_VERSION + ")"
                    + (session.isNegotiated() ? "; this session began with initialize and speaks "
                    + session.protocolVersion().id() : ""));
        } else if (!session.isNegotiated() && !BEFORE_INITIALIZE.contains(method)) {
            return McpException.invalidRequest("Session not initialized: send 'initialize' before '" + method + "'");
        }
        if (!methods.containsKey(method)) {
            return new McpException(ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method);
        }
        if (session.inFlightCount() >= settings.maxInFlight()) {
            return new McpException(ErrorCodes.LIMIT_EXCEEDED, "Too many concurrent requests on this session (limit "
                    + settings.maxInFlight() + "); wait for some to finish");
        }
        return null;
    }

    private RequestTracing.Trace beginTrace(Session session, boolean stateless, JsonNode id, String method,
                                            JsonNode params, TraceHeaders headers) {
        if (tracing == RequestTracing.OFF) {
            return RequestTracing.Trace.NONE;
        }
        try {
            return tracing.begin(session, stateless ? null : session.id(), id, method, params, headers);
        } catch (RuntimeException e) { // tracing never decides a request's fate
            LOG.log(System.Logger.Level.WARNING, session + ": starting the trace of " + method + " failed: " + e);
            return RequestTracing.Trace.NONE;
        }
    }

    private static void endTrace(RequestTracing.Trace trace, JsonNode result, McpException error, boolean cancelled) {
        try {
            trace.end(result, error, cancelled);
        } catch (RuntimeException e) { // tracing never decides a request's fate
            LOG.log(System.Logger.Level.WARNING, "ending a request's trace failed: " + e);
        }
    }

        private void completed(JsonNode id, RequestHook.Completion completion) {
        MessageTrace.answered(completion.session(), id, completion);
        try {
            hook.completed(completion);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, completion.session() + ": request hook failed after "
                    + completion.method(), e);
        }
    }
}
