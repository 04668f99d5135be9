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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The audit trail: one JSON line per {@code tools/call}, {@code resources/read} and {@code prompts/get} (recorded by
 * the dispatcher, so the shape is the same on every transport) and per authentication failure (recorded by the
 * transport's edge). Lines are queued and written by one background thread to a size-rotated file; {@link #close()}
 * writes what is queued before it returns.
 *
 * <p>Every line has the same keys: {@code time}, {@code event} ({@code call} or {@code authentication}),
 * {@code principal}, {@code transport}, {@code clientId}, {@code session} (a hash of the session id: the id itself
 * would let a log reader use the session), {@code method}, {@code target}, {@code outcome}, {@code durationMs},
 * {@code argumentBytes}, {@code error} and {@code remote}; {@code arguments} too when configured.
 */
public final class AuditLog implements RequestHook, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());
    static final Set<String> AUDITED = Set.of("tools/call", "resources/read", "prompts/get");
    private static final String END = "\u0000end";

    private final AuditSettings settings;
    private final Clock clock;
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>(65_536);
    private volatile RotatingFile file;
    private Thread writer;
    private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
    private volatile long flushed;
    private volatile boolean closed;

    public AuditLog(AuditSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Opens the configured file (creating its directory) and starts writing; a disabled log records nothing. */
    public synchronized void start() throws IOException {
        if (settings.enabled() && file == null) {
            file = new RotatingFile(settings.file(), settings.maxFileSize(), settings.maxFiles());
            writer = Thread.ofPlatform().daemon().name("mcp-audit-writer").start(this::drain);
        }
    }

    public boolean isEnabled() {
        return settings.enabled();
    }

    @Override
    public void completed(Completion c) {
        if (file == null || !AUDITED.contains(c.method())) {
            return;
        }
        Session session = c.session();
        JsonNode params = c.params() == null ? Json.object() : c.params();
        JsonNode arguments = params.get("arguments");
        ObjectNode line = line("call", session.caller().subject(), session.transport(), session.clientId(),
                sessionHash(session.id()), c.method(), target(c.method(), params), outcome(c));
        line.put("durationMs", Math.round(c.durationNanos() / 1000.0) / 1000.0);
        line.put("argumentBytes", arguments == null || arguments.isNull() ? 0
                : Json.writeBytes(arguments).length);
        if (c.error() != null) {
            ObjectNode error = line.putObject("error");
            error.put("code", c.error().code());
            error.put("message", c.error().getMessage());
        } else {
            line.putNull("error");
        }
        line.putNull("remote");
        if (settings.logArguments() && arguments != null) {
            line.set("arguments", arguments);
        }
        enqueue(line);
    }

    /**
     * Records a refused authentication at a transport's edge.
     *
     * @param transport the transport's name ({@code http}, {@code sse}, {@code websocket}, {@code tcp})
     * @param remote    the client's address, null if unknown
     */
    public void authenticationFailed(String transport, String remote, AuthFailure failure) {
        if (file == null) {
            return;
        }
        ObjectNode line = line("authentication", null, transport, null, null, null, null, "unauthenticated");
        line.put("durationMs", 0.0);
        line.put("argumentBytes", 0);
        ObjectNode error = line.putObject("error");
        error.put("code", ErrorCodes.UNAUTHORIZED);
        error.put("reason", failure.reason().wireName());
        error.put("message", failure.description());
        line.put("remote", remote);
        enqueue(line);
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

    private void enqueue(ObjectNode line) {
        if (closed) {
            LOG.log(System.Logger.Level.WARNING, "audit record after shutdown, not written: " + Json.write(line));
            return;
        }
        String text = Json.write(line);
        boolean interrupted = Thread.interrupted(); // a cancelled request's thread must still get its record out
        try {
            while (true) {
                try {
                    queued.incrementAndGet();
                    queue.put(text); // blocks when the writer is far behind: audit records are never dropped
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drain() {
        long written = 0;
        try {
            while (true) {
                String line = queue.take();
                if (line.equals(END)) {
                    file.flush();
                    flushed = written;
                    return;
                }
                file.write(line);
                written++;
                if (queue.isEmpty()) {
                    file.flush();
                    flushed = written;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "Cannot write the audit log " + settings.file() + ": " + e.getMessage(), e);
        }
    }

    /** Writes every queued record, then closes the file. */
    @Override
    public synchronized void close() {
        if (file == null || closed) {
            return;
        }
        closed = true;
        try {
            queue.put(END);
            if (!writer.join(java.time.Duration.ofSeconds(10))) {
                LOG.log(System.Logger.Level.WARNING, "Audit log writer did not finish in 10 s; "
                        + queue.size() + " records not written");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            file.close();
        }
    }

    /** Waits until every record queued so far is in the file (for tests). */
    void awaitWritten(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (flushed < queued.get() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
