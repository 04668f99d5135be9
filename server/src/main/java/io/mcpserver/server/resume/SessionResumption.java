package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.ProtocolVersion;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionRegistry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Session recovery for the connection transports (WebSocket and TCP): a client that opted in with
 * {@code io.mcpserver/resume} in its {@code initialize} gets a resume token; when its connection ends, the session
 * is kept for {@code sessions.resume-window} — its calls run on, what it would have been sent is kept in the
 * {@link Outbox} — and a new connection whose {@code initialize} presents the token (same subject, once, in time)
 * gets the same session back, with what it missed replayed. When the window passes the session is closed as an
 * ended connection's session always was. Tokens and buffers live in a {@link ResumeStore}.
 */
public final class SessionResumption implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionResumption.class.getName());
    /** The transports whose clients can lose a connection and come back on another. */
    private static final Set<String> TRANSPORTS = Set.of("tcp", "websocket");

    /** How a connection's end left its session. */
    public enum Ending {
        /** The session was closed (not resumable, the client left cleanly, or the server is stopping). */
        CLOSED,
        /** The session waits for its client to resume it within the window. */
        KEPT,
        /** The session already continues on a newer connection. */
        TAKEN_OVER
    }

    /** Where a connection's messages go after its {@code initialize}: the session's outbox, opened by the gate. */
    public record Attached(Session session, Outbox outbox, Runnable open) {
    }

    /** A connection that may initialize a resumable session: how to write to it, and how to end it. */
    private record Connection(MessageSink writer, Object owner, Runnable closer) {
    }

    /** One resumable session. Its lock orders a resume against the window's end. */
    private final class Resumable {
        final Session session;
        final Outbox outbox;
        final ReentrantLock lock = new ReentrantLock();
        String tokenHash;
        volatile ScheduledFuture<?> expiry;
        boolean ended;

        Resumable(Session session, Outbox outbox) {
            this.session = session;
            this.outbox = outbox;
        }
    }

    private final ResumeSettings settings;
    private final ResumeStore store;
    private final SessionRegistry sessions;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<String, Resumable> resumable = new ConcurrentHashMap<>();
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Attached> attached = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile ResumeEvents events = ResumeEvents.NONE;

    public SessionResumption(ResumeSettings settings, ResumeStore store, SessionRegistry sessions, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.sessions = sessions;
        this.clock = clock;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mcp-resume-window");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // most windows are cancelled by a resume or a shutdown
    }

    public ResumeSettings settings() {
        return settings;
    }

    /** Where resumes, refusals and expiries are counted ({@code /metrics}). */
    public void observe(ResumeEvents events) {
        this.events = events == null ? ResumeEvents.NONE : events;
    }

    /** Sessions waiting for their client now: their connection ended, the window has not passed. */
    public int waiting() {
        return (int) resumable.values().stream().filter(r -> r.expiry != null).count();
    }

    /** Whether sessions on this transport can be resumed. */
    public boolean enabledFor(String transport) {
        return settings.enabled() && TRANSPORTS.contains(transport);
    }

    /**
     * A new connection's session, not initialized yet: its {@code initialize} may open a resumable session or
     * resume one.
     *
     * @param owner  the connection (only the connection attached to a session can leave it)
     * @param closer ends the connection when a newer one takes its session over
     */
    public void connected(Session session, MessageSink writer, Object owner, Runnable closer) {
        connections.put(session.id(), new Connection(writer, owner, closer));
    }

    /** Whether {@code initialize} on this session may use the extension (a connection of a resumable transport). */
    public boolean eligible(Session session) {
        return !stopping && connections.containsKey(session.id());
    }

    /**
     * {@code initialize} opted in without a token: issues the session's first token into {@code result._meta} and
     * attaches the connection to a new outbox (gated until the result is written).
     */
    public void open(Session session, ObjectNode result) {
        Connection connection = connections.get(session.id());
        if (connection == null) {
            return;
        }
        Resumable r = new Resumable(session, new Outbox(store.buffer(session.id(), settings.bufferSize())));
        resumable.put(session.id(), r);
        GatedSink gate = new GatedSink(connection.writer());
        r.outbox.attach(gate, connection.owner(), connection.closer(), 0);
        String token = issue(r);
        session.standalone(r.outbox); // list_changed and resources/updated are numbered and kept too
        meta(result).set(ResumeMeta.RESUME, tokenMeta(token));
        attached.put(session.id(), new Attached(session, r.outbox, gate::open));
    }

    /**
     * {@code initialize} presented a token: gives the connection of {@code fresh} the session it stands for, or
     * refuses (unknown, used, expired, or another subject's token: one answer for all, so a stolen token tells its
     * holder nothing). The result is {@code initialize}'s as that session negotiated it.
     *
     * @param resume the {@code io.mcpserver/resume} object: {@code token}, optionally {@code lastSeq}
     * @param result builds the initialize result for the session's protocol version
     */
    public ObjectNode resume(Session fresh, ObjectNode resume, Function<ProtocolVersion, ObjectNode> result) {
        JsonNode tokenNode = resume.get("token");
        if (tokenNode == null || !tokenNode.isTextual() || tokenNode.asText().isBlank()) {
            throw McpException.invalidParams("initialize: _meta." + ResumeMeta.RESUME + ".token must be a string");
        }
        JsonNode lastSeqNode = resume.get("lastSeq");
        if (lastSeqNode != null && !(lastSeqNode.isIntegralNumber() && lastSeqNode.asLong() >= 0)) {
            throw McpException.invalidParams("initialize: _meta." + ResumeMeta.RESUME
                    + ".lastSeq must be a non-negative integer (the highest io.mcpserver/seq received)");
        }
        Connection connection = connections.get(fresh.id());
        String subject = fresh.caller().subject();
        ResumeStore.Claim claim = store.claim(hash(tokenNode.asText()), subject, clock.instant());
        Resumable r = switch (claim) {
            case ResumeStore.Claim.Claimed c -> resumable.get(c.record().sessionId());
            case ResumeStore.Claim.Foreign f -> {
                LOG.log(System.Logger.Level.WARNING, fresh + ": refused a resume token of another principal (presented by '"
                        + subject + "', bound to '" + f.record().subject() + "')");
                yield null;
            }
            case ResumeStore.Claim.Unknown u -> {
                LOG.log(System.Logger.Level.INFO, fresh + ": refused an unknown, used or expired resume token");
                yield null;
            }
        };
        if (r == null || connection == null) {
            events.refused();
            throw refused();
        }
        r.lock.lock();
        try {
            if (r.ended || r.session.isClosed()) {
                events.refused();
                throw refused();
            }
            if (r.expiry != null) {
                r.expiry.cancel(false);
                r.expiry = null;
            }
            r.session.authenticated(fresh.caller()); // the same subject; its newest scopes and roles
            long from = lastSeqNode != null ? lastSeqNode.asLong() : r.outbox.defaultResumePoint();
            GatedSink gate = new GatedSink(connection.writer());
            Outbox.Replay replay = r.outbox.attach(gate, connection.owner(), connection.closer(), from);
            String token = issue(r);
            ObjectNode answer = result.apply(r.session.protocolVersion());
            ObjectNode info = tokenMeta(token);
            info.put("resumed", true);
            info.put("replayed", replay.replayed());
            info.put("lost", replay.lost());
            if (replay.lost() > 0) {
                info.put("lostFrom", replay.lostFrom());
                info.put("lostTo", replay.lostTo());
                LOG.log(System.Logger.Level.WARNING, r.session + ": resumed, but " + replay.lost() + " message(s) ("
                        + replay.lostFrom() + "–" + replay.lostTo() + ") fell out of the replay buffer "
                        + "(sessions.replay-buffer: " + settings.bufferSize() + "); the client is told");
            } else {
                LOG.log(System.Logger.Level.INFO, r.session + ": resumed by a new connection; replaying "
                        + replay.replayed() + " message(s)");
            }
            meta(answer).set(ResumeMeta.RESUME, info);
            attached.put(fresh.id(), new Attached(r.session, r.outbox, gate::open));
            events.resumed(replay.replayed(), replay.lost());
            return answer;
        } finally {
            r.lock.unlock();
        }
    }

    /**
     * After the connection of {@code session} wrote its {@code initialize} answer: the session and outbox its
     * messages go to from now on (empty when it did not use the extension). The caller switches to them, then runs
     * {@link Attached#open()} to let the replay and live messages through.
     */
    public Optional<Attached> afterInitialize(Session session) {
        Attached a = attached.remove(session.id());
        if (a != null) {
            connections.remove(session.id());
        }
        return Optional.ofNullable(a);
    }

    /**
     * The connection {@code owner} of {@code session} ended. A resumable session waits for its client (unless it
     * said goodbye, or the server is stopping); the caller closes the session when {@link Ending#CLOSED} comes back.
     *
     * @param goodbye the client ended the connection deliberately (a WebSocket close with 1000)
     */
    public Ending connectionEnded(Session session, Object owner, boolean goodbye) {
        connections.remove(session.id());
        attached.remove(session.id());
        Resumable r = resumable.get(session.id());
        if (r == null) {
            return Ending.CLOSED;
        }
        r.lock.lock();
        try {
            if (!r.outbox.detach(owner)) {
                return r.ended ? Ending.CLOSED : Ending.TAKEN_OVER;
            }
            if (goodbye || stopping || r.session.isClosed() || r.ended) {
                end(r);
                return Ending.CLOSED;
            }
            Instant expires = clock.instant().plus(settings.window());
            store.save(new ResumeRecord(r.tokenHash, r.session.id(), r.session.caller().subject(), expires,
                    SessionSnapshot.of(r.session, r.outbox.lastSeq())));
            r.expiry = timer.schedule(() -> expire(r), settings.window().toNanos(), TimeUnit.NANOSECONDS);
            return Ending.KEPT;
        } finally {
            r.lock.unlock();
        }
    }

    /** The window passed without a resume: the session is closed, its running calls cancelled. */
    private void expire(Resumable r) {
        int running;
        boolean open;
        r.lock.lock();
        try {
            if (r.ended || r.expiry == null) {
                return; // resumed (or closed) meanwhile
            }
            running = r.session.inFlightCount();
            open = !r.session.isClosed(); // an administrator may have closed it while it waited
            end(r);
        } finally {
            r.lock.unlock();
        }
        if (!open) {
            return;
        }
        sessions.close(r.session, "not resumed within " + settings.window().toSeconds() + " s");
        events.expired();
        LOG.log(System.Logger.Level.INFO, r.session + ": not resumed within " + settings.window().toMillis()
                + " ms (sessions.resume-window); session closed" + (running > 0 ? ", cancelled " + running
                + " running request(s)" : ""));
    }

    /** Under {@code r.lock}: no token, no buffer, no timer. */
    private void end(Resumable r) {
        r.ended = true;
        if (r.expiry != null) {
            r.expiry.cancel(false);
            r.expiry = null;
        }
        store.revoke(r.tokenHash);
        r.outbox.close();
        resumable.remove(r.session.id(), r);
    }

    /** A new token for the session; the one before it stops working. */
    private String issue(Resumable r) {
        if (r.tokenHash != null) {
            store.revoke(r.tokenHash);
        }
        String token = SessionRegistry.newSessionId();
        r.tokenHash = hash(token);
        store.save(new ResumeRecord(r.tokenHash, r.session.id(), r.session.caller().subject(), Instant.MAX,
                SessionSnapshot.of(r.session, r.outbox.lastSeq())));
        return token;
    }

    private ObjectNode tokenMeta(String token) {
        ObjectNode info = Json.object();
        info.put("token", token);
        info.put("windowMs", settings.window().toMillis());
        info.put("bufferSize", settings.bufferSize());
        return info;
    }

    private static ObjectNode meta(ObjectNode result) {
        JsonNode meta = result.get("_meta");
        return meta instanceof ObjectNode o ? o : result.putObject("_meta");
    }

    private static McpException refused() {
        ObjectNode data = Json.object();
        data.put("reason", "resume_refused");
        return new McpException(io.mcpserver.server.protocol.ErrorCodes.INVALID_PARAMS, "Resume refused: the token "
                + "is unknown, was used already, has expired (sessions.resume-window) or belongs to another principal; "
                + "send initialize again without " + ResumeMeta.RESUME + ".token to start a new session", data);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Shutdown begins: connections that end from now on close their sessions; no token is issued or honoured. */
    public void stop() {
        stopping = true;
    }

    @Override
    public void close() {
        stopping = true;
        timer.shutdownNow();
        for (Resumable r : resumable.values()) {
            r.lock.lock();
            try {
                end(r);
            } finally {
                r.lock.unlock();
            }
        }
    }
}
