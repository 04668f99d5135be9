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
    /** The transport name of legacy HTTP+SSE sessions. */
    static final String LEGACY = "sse";

    private final McpCore core;
    private final int maxSessions;
    private final Duration idleTimeout;
    private final int replayBufferSize;
    private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
    private volatile Thread reaper;
    /** Where shared sessions' streams are kept (a cluster); null on one node. */
    private final io.mcpserver.server.protocol.SessionStreams log;
    private volatile io.mcpserver.server.security.EdgeAuthenticator edge;

    HttpSessions(McpCore core, int maxSessions, Duration idleTimeout, int replayBufferSize) {
        this.core = core;
        this.maxSessions = maxSessions;
        this.idleTimeout = idleTimeout;
        this.replayBufferSize = replayBufferSize;
        core.sessions().idleTimeout(idleTimeout);
        this.log = core.sessions().streams();
        if (log != null) {
            // the node holding a session's connection reads what any node appended to its stream
            log.onAppended((id, stream) -> {
                HttpSession http = sessions.get(id);
                if (http != null) {
                    http.appended(stream);
                }
            });
            log.onReconnect(() -> sessions.values().forEach(s -> s.appended(io.mcpserver.server.protocol.SessionStreams.OWN)));
            // another node resumes a POST's stream this node runs: it gets a copy in Redis from now on
            log.onCopyAsked((id, stream) -> {
                if (!log.nodeId().equals(RemotePostStream.nodeOf(stream))) {
                    return null; // another node's to answer
                }
                HttpSession http = sessions.get(id);
                return http != null ? http.copyAsked(stream) : java.util.concurrent.CompletableFuture.completedFuture(
                        io.mcpserver.server.protocol.SessionStreams.CopyAnswer.NOT_HELD);
            });
        }
        // a DELETE on another node: this node's streams of the session end now, not at the reaper's next tick
        core.sessions().onEndedElsewhere(ended -> {
            HttpSession http = sessions.get(ended.id());
            if (http != null && http.session() == ended) {
                close(http, "ended on another node");
            }
        });
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
    Optional<HttpSession> open(String transport, Caller caller, boolean legacy, String remote) {
        if (sessions.size() >= maxSessions) {
            return Optional.empty(); // at capacity: not worth asking for the principal's place
        }
        io.mcpserver.server.security.EdgeAuthenticator e = edge;
        // outside the lock: in a cluster this asks Redis
        var slot = e == null ? io.mcpserver.server.protocol.SessionSlots.Slot.NONE
                : e.admitSession(core.sessions(), caller.subject());
        try {
            synchronized (this) {
                if (sessions.size() >= maxSessions) {
                    return Optional.empty();
                }
                // shared with the other nodes of a cluster: a legacy session's POSTs may land on any node too, and
                // what they answer reaches the node holding its /sse stream through the session's stream in the log
                Session session = core.sessions().openShared(transport, caller, null);
                core.sessions().hold(session, slot);
                HttpSession http = new HttpSession(session, legacy, replayBufferSize, log);
                session.presence(remote, () -> close(http, "closed by the server's administrator"));
                sessions.put(http.id(), http);
                return Optional.of(http);
            }
        } finally {
            slot.release(); // unless the session holds it: at capacity after all, or the store could not be reached
        }
    }

    /**
     * The session by that id: one this node serves, or (in a cluster) a Streamable HTTP session another node
     * opened, served here from now on too.
     */
    Optional<HttpSession> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        HttpSession http = sessions.get(id);
        if (http != null && http.session().isClosed() && !http.isClosed()) {
            close(http, "ended elsewhere"); // another node ended it (DELETE), or the store forgot it
            return Optional.empty();
        }
        if (http == null && core.sessions().isShared()) {
            http = core.sessions().adopt(id).filter(s -> !s.isClosed())
                    .map(s -> sessions.computeIfAbsent(id, k -> new HttpSession(s, LEGACY.equals(s.transport()), replayBufferSize, log)))
                    .orElse(null);
        }
        if (http != null) {
            core.sessions().used(http.session());
        }
        return Optional.ofNullable(http);
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

    /** Ends a session (on every node of a cluster): later requests naming it get 404. */
    void close(HttpSession session, String reason) {
        if (sessions.remove(session.id(), session)) {
            LOG.log(System.Logger.Level.DEBUG, session + ": session ended (" + reason + ")");
        }
        session.closeStreams();
        core.sessions().close(session.session(), reason);
    }

    /**
     * Ends a session on this node only: idle here, or this node stopping. A shared session goes on on the other
     * nodes (and here again on its next request); the store forgets it once it is idle everywhere.
     */
    private void evict(HttpSession session, String reason) {
        if (!session.session().isShared()) {
            close(session, reason);
            return;
        }
        sessions.remove(session.id(), session);
        session.closeStreams();
        core.sessions().evict(session.session(), reason);
    }

    /**
     * How long a stopping node waits for the cluster's log to take what its stream copies still owe it: the last
     * events of calls that finished during the shutdown grace, which another node's client reads there. A healthy
     * Redis takes them in milliseconds; an unreachable one must not hold the stop for long.
     */
    static final Duration COPIES_ON_STOP = Duration.ofSeconds(2);

    /**
     * Waits, at most {@code limit}, until the copies of this node's streams owe the log nothing. Letting them go
     * unfinished would end a client reading one on another node with an error instead of its call's response.
     */
    private void awaitCopies(Duration limit) {
        List<java.util.concurrent.CompletableFuture<Void>> flushes = sessions.values().stream()
                .map(HttpSession::copiesFlushed).filter(f -> !f.isDone()).toList();
        if (flushes.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        try {
            java.util.concurrent.CompletableFuture.allOf(flushes.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            LOG.log(System.Logger.Level.INFO, "Waited " + (System.nanoTime() - started) / 1_000_000 + " ms for the"
                    + " cluster to hold the last events of " + flushes.size() + " session(s)' streams read on other nodes");
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "Stopping without the last events of some streams read on other nodes:"
                    + " the cluster did not take them within " + limit.toMillis() + " ms; those clients get an error"
                    + " for their call");
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "Stopping without the last events of some streams read on other nodes:"
                    + " " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            if (s.session().isClosed()) {
                close(s, "ended elsewhere"); // on another node (DELETE), or forgotten by the store: its streams end
            } else if (s.isIdle(idleTimeout, now)) {
                if (s.session().isShared()) {
                    evict(s, "idle on this node"); // other nodes may still serve it; the store's expiry ends it
                } else {
                    LOG.log(System.Logger.Level.INFO, s + ": session expired after " + idleTimeout.toSeconds()
                            + " s without activity");
                    close(s, "session expired");
                }
            } else if (s.openConnections() > 0) {
                core.sessions().used(s.session()); // a stream held open here keeps the shared session alive
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
        awaitCopies(COPIES_ON_STOP);
        for (HttpSession s : List.copyOf(sessions.values())) {
            evict(s, "server stopping"); // a shared session goes on on the other nodes
        }
    }
}
