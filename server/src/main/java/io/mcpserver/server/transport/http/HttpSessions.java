package io.mcpserver.server.transport.http;

import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP listener's sessions (Streamable HTTP and legacy SSE), bounded in number and in time: at most
 * {@code maxSessions} are open, and a reaper ends those idle longer than the timeout. Ending a session
 * ends its streams and closes the protocol session, which cancels whatever it still runs.
 */
final class HttpSessions implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HttpSessions.class.getName());

    private final McpCore core;
    private final int maxSessions;
    private final Duration idleTimeout;
    private final int replayBufferSize;
    private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
    private volatile Thread reaper;
    private volatile io.mcpserver.server.security.EdgeAuthenticator edge;

    HttpSessions(McpCore core, int maxSessions, Duration idleTimeout, int replayBufferSize) {
        this.core = core;
        this.maxSessions = maxSessions;
        this.idleTimeout = idleTimeout;
        this.replayBufferSize = replayBufferSize;
    }

    /** Applies {@code limits.max-sessions-per-principal} to every session opened here. */
    void edge(io.mcpserver.server.security.EdgeAuthenticator edge) {
        this.edge = edge;
    }

    int maxSessions() {
        return maxSessions;
    }

    /**
     * Opens a session, or returns empty when {@code maxSessions} are open already.
     *
     * @param remote the client's address ({@code host:port}), for presence
     *
     * @throws io.mcpserver.server.protocol.McpException when the caller has as many sessions as one principal may
     */
    synchronized Optional<HttpSession> open(String transport, Caller caller, boolean legacy, String remote) {
        if (sessions.size() >= maxSessions) {
            return Optional.empty();
        }
        io.mcpserver.server.security.EdgeAuthenticator e = edge;
        if (e != null) {
            e.admitSession(core.sessions(), caller.subject(), false);
        }
        Session session = core.sessions().open(transport, caller, null);
        HttpSession http = new HttpSession(session, legacy, replayBufferSize);
        session.presence(remote, () -> close(http, "closed by the server's administrator"));
        sessions.put(http.id(), http);
        return Optional.of(http);
    }

    Optional<HttpSession> find(String id) {
        return Optional.ofNullable(id == null ? null : sessions.get(id));
    }

    int size() {
        return sessions.size();
    }

    /** SSE responses held open now by Streamable HTTP ({@code legacy} false) or legacy SSE sessions. */
    int openStreams(boolean legacy) {
        int open = 0;
        for (HttpSession s : sessions.values()) {
            if (s.isLegacy() == legacy) {
                open += s.openConnections();
            }
        }
        return open;
    }

    /** Ends a session: later requests naming it get 404. */
    void close(HttpSession session, String reason) {
        if (sessions.remove(session.id(), session)) {
            LOG.log(System.Logger.Level.DEBUG, session + ": session ended (" + reason + ")");
        }
        session.closeStreams();
        core.sessions().close(session.session(), reason);
    }

    /** Starts the virtual thread that ends idle sessions, checking a few times per timeout period. */
    void startReaper() {
        long periodMillis = Math.clamp(idleTimeout.toMillis() / 4, 50, 30_000);
        reaper = Thread.ofVirtual().name("mcp-http-session-reaper").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
                reapIdle();
            }
        });
    }

    void reapIdle() {
        long now = System.nanoTime();
        for (HttpSession s : List.copyOf(sessions.values())) {
            if (s.isIdle(idleTimeout, now)) {
                LOG.log(System.Logger.Level.INFO, s + ": session expired after " + idleTimeout.toSeconds()
                        + " s without activity");
                close(s, "session expired");
            }
        }
    }

    /**
     * Shutdown, before {@link #close()}: every stream writes what is queued and ends properly (the final
     * chunk); waits up to {@code timeout} for their connections to finish.
     */
    void finishStreams(Duration timeout) {
        List<HttpSession> all = List.copyOf(sessions.values());
        all.forEach(HttpSession::completeStreams);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (all.stream().anyMatch(s -> s.openConnections() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        Thread r = reaper;
        if (r != null) {
            r.interrupt();
        }
        for (HttpSession s : List.copyOf(sessions.values())) {
            close(s, "server stopping");
        }
    }
}
