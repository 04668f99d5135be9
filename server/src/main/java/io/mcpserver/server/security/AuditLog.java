package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.config.SecuritySettings.AuditSettings;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.Session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The audit trail: one JSON line per {@code tools/call}, {@code resources/read} and {@code prompts/get} (recorded by
 * the dispatcher, so the shape is the same on every transport) in {@code audit.file}, and one per refused
 * authentication (recorded by the transport's edge) in {@code audit.refusals-file}. Refusals have a file of their
 * own so that traffic without a token can never rotate the records of authenticated calls away; each refusal line
 * is bounded ({@link #MAX_TEXT} characters of any text a client chose).
 *
 * <p>Lines are queued and written by one background thread per file ({@link AuditWriter}); a request thread never
 * waits for the disk. When a file cannot be written, records are dropped and counted, the state shows in
 * {@code /health} and the meters, and {@code audit.on-failure} decides whether audited calls go on
 * ({@code continue}) or are refused until the file is writable again ({@code refuse}).
 *
 * <p>Every line has the same keys: {@code time}, {@code event} ({@code call} or {@code authentication}),
 * {@code principal}, {@code transport}, {@code clientId}, {@code session} (a hash of the session id: the id itself
 * would let a log reader use the session), {@code method}, {@code target}, {@code outcome}, {@code durationMs},
 * {@code argumentBytes}, {@code error} and {@code remote}; {@code arguments} too when configured.
 */
public final class AuditLog implements RequestHook, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());
    static final Set<String> AUDITED = Set.of("tools/call", "resources/read", "prompts/get");
    /** At most this many characters of a client-chosen string (a target, an error message) go into a line. */
    static final int MAX_TEXT = 512;
    private static final int QUEUE = 65_536;

    private final AuditSettings settings;
    private final Clock clock;
    private volatile AuditWriter calls;
    private volatile AuditWriter refusals;
    /** Told of every record lost (the metrics' counter). */
    private volatile java.util.function.LongConsumer onDropped = n -> { };

    public AuditLog(AuditSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Opens the configured files (creating their directories) and starts writing; a disabled log records nothing. */
    public synchronized void start() throws IOException {
        if (settings.enabled() && calls == null) {
            AuditWriter c = new AuditWriter("audit log", settings.file(), settings.maxFileSize(), settings.maxFiles(), QUEUE);
            AuditWriter r = new AuditWriter("audit refusals log", settings.refusalsFile(), settings.maxFileSize(),
                    settings.maxFiles(), QUEUE);
            c.onDropped(n -> onDropped.accept(n));
            r.onDropped(n -> onDropped.accept(n));
            c.start();
            r.start();
            calls = c;
            refusals = r;
        }
    }

    public boolean isEnabled() {
        return settings.enabled();
    }

    /** Whether every audit file is being written (true when the audit trail is off). */
    public boolean healthy() {
        AuditWriter c = calls;
        AuditWriter r = refusals;
        return c == null || (c.healthy() && r.healthy());
    }

    /** What is wrong, for {@code /health}: file → problem, empty while healthy. */
    public java.util.Map<String, Object> problems() {
        java.util.Map<String, Object> problems = new java.util.LinkedHashMap<>();
        for (AuditWriter w : new AuditWriter[] {calls, refusals}) {
            if (w != null && w.problem() != null) {
                problems.put(w.path().toString(), w.problem());
            }
        }
        return problems;
    }

    /** Tells {@code lost} of every record lost from now on, with how many. */
    public void onDropped(java.util.function.LongConsumer lost) {
        onDropped = lost;
    }

    /** Records lost since start: queue full or file not writable. */
    public long dropped() {
        AuditWriter c = calls;
        AuditWriter r = refusals;
        return c == null ? 0 : c.dropped() + r.dropped();
    }

    /**
     * With {@code audit.on-failure: refuse}, an audited call is refused while its record cannot be written.
     */
    @Override
    public void admit(Session session, String method, JsonNode params) {
        AuditWriter c = calls;
        if (c != null && settings.onFailure() == AuditSettings.OnFailure.REFUSE && !c.healthy()
                && AUDITED.contains(method)) {
            throw new McpException(ErrorCodes.INTERNAL_ERROR, "The audit trail cannot be written, so audited calls are "
                    + "refused until it can (audit.on-failure: refuse); try again later");
        }
    }

    @Override
    public void completed(Completion c) {
        AuditWriter w = calls;
        if (w == null || !AUDITED.contains(c.method())) {
            return;
        }
        Session session = c.session();
        JsonNode params = c.params() == null ? Json.object() : c.params();
        JsonNode arguments = params.get("arguments");
        ObjectNode line = line("call", session.caller().subject(), session.transport(), session.clientId(),
                sessionHash(session.id()), c.method(), capped(target(c.method(), params)), outcome(c));
        line.put("durationMs", Math.round(c.durationNanos() / 1000.0) / 1000.0);
        line.put("argumentBytes", arguments == null || arguments.isNull() ? 0 : Json.serializedLength(arguments));
        if (c.error() != null) {
            ObjectNode error = line.putObject("error");
            error.put("code", c.error().code());
            error.put("message", capped(c.error().getMessage()));
        } else {
            line.putNull("error");
        }
        line.putNull("remote");
        if (settings.logArguments() && arguments != null) {
            line.set("arguments", arguments);
        }
        enqueue(w, line);
    }

    /**
     * Records a refused authentication at a transport's edge, in the refusals file.
     *
     * @param transport the transport's name ({@code http}, {@code sse}, {@code websocket}, {@code tcp})
     * @param remote    the client's address, null if unknown
     */
    public void authenticationFailed(String transport, String remote, AuthFailure failure) {
        AuditWriter w = refusals;
        if (w == null) {
            return;
        }
        ObjectNode line = line("authentication", null, transport, null, null, null, null, "unauthenticated");
        line.put("durationMs", 0.0);
        line.put("argumentBytes", 0);
        ObjectNode error = line.putObject("error");
        error.put("code", ErrorCodes.UNAUTHORIZED);
        error.put("reason", failure.reason().wireName());
        error.put("message", capped(failure.description()));
        line.put("remote", capped(remote));
        enqueue(w, line);
    }

    /**
     * Records an operator's action through the admin API (closing a connection, reloading a plugin) in the calls
     * file: event {@code admin}, the method is the action, the target what it acted on.
     *
     * @param outcome {@code ok}, or why nothing was done ({@code not_found}, {@code failed} …)
     */
    public void adminAction(String principal, String remote, String action, String target, String outcome) {
        AuditWriter w = calls;
        if (w == null) {
            return;
        }
        ObjectNode line = line("admin", principal, "http", null, null, action, capped(target), outcome);
        line.put("durationMs", 0.0);
        line.put("argumentBytes", 0);
        line.putNull("error");
        line.put("remote", capped(remote));
        enqueue(w, line);
    }

    static String capped(String text) {
        if (text == null || text.length() <= MAX_TEXT) {
            return text;
        }
        return text.substring(0, MAX_TEXT) + "…(" + text.length() + " chars)";
    }

    private ObjectNode line(String event, String principal, String transport, String clientId, String session,
                            String method, String target, String outcome) {
        ObjectNode line = Json.object();
        line.put("time", clock.instant().toString());
        line.put("event", event);
        line.put("principal", principal);
        line.put("transport", transport);
        line.put("clientId", clientId);
        line.put("session", session);
        line.put("method", method);
        line.put("target", target);
        line.put("outcome", outcome);
        return line;
    }

    private static String target(String method, JsonNode params) {
        return Json.text(params, method.equals("resources/read") ? "uri" : "name");
    }

    static String outcome(Completion c) {
        if (c.cancelled()) {
            return "cancelled";
        }
        McpException error = c.error();
        if (error != null) {
            return switch (error.code()) {
                case ErrorCodes.FORBIDDEN -> "denied";
                case ErrorCodes.UNAUTHORIZED -> "unauthenticated";
                case ErrorCodes.LIMIT_EXCEEDED -> "limited";
                default -> "error";
            };
        }
        return c.result() != null && c.result().path("isError").asBoolean(false) ? "tool_error" : "ok";
    }

    private static String sessionHash(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void enqueue(AuditWriter writer, ObjectNode line) {
        String text = Json.write(line);
        if (!writer.offer(text)) {
            LOG.log(System.Logger.Level.DEBUG, "audit record dropped: " + text);
        }
    }

    /** Writes every queued record (waiting at most 10 s), then closes the files. */
    @Override
    public synchronized void close() {
        if (calls == null) {
            return;
        }
        calls.close(java.time.Duration.ofSeconds(10));
        refusals.close(java.time.Duration.ofSeconds(2));
    }

    /** Waits until every record queued so far is in its file or dropped (for tests). */
    void awaitWritten(long timeout, TimeUnit unit) throws InterruptedException {
        if (calls != null) {
            calls.awaitSettled(timeout, unit);
            refusals.awaitSettled(timeout, unit);
        }
    }
}
