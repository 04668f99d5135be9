package io.mcpserver.server.protocol;

import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.ChangeKind;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Every live session on every transport: hands out client ids unique across transports, and is what
 * server-wide notifications (list changes, resource updates) are broadcast to.
 */
public final class SessionRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong nextClient = new AtomicLong(1);
    private final LogLevel defaultLogLevel;
    private final List<Consumer<String>> resourceListeners =
            new CopyOnWriteArrayList<>();

    private final SessionStore store;
    /** Put in front of client ids so that they are unique across the nodes of a cluster ("" alone). */
    private final String clientIdPrefix;
    /** Put in front of server→client request ids ("node-a/"); '/' is not allowed in node ids, so none is a prefix of another. */
    private final String requestIdPrefix;
    private volatile long storeTouchNanos = Long.MAX_VALUE;
    /** Shared sessions another node opened and this one serves too (each node counts only those it opened). */
    private final Set<String> adopted = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Session>> endListeners = new CopyOnWriteArrayList<>();
    /** limits.max-sessions-per-principal's count here: slots taken at admission, held by the sessions admitted. */
    private final SessionSlots slots = new SessionSlots();
    /** Told of each shared session this node served that another node ended: the transport ends its streams. */
    private final List<Consumer<Session>> endedElsewhere = new CopyOnWriteArrayList<>();

    public SessionRegistry(LogLevel defaultLogLevel) {
        this(defaultLogLevel, SessionStore.LOCAL, "");
    }

    /**
     * @param store          where shared sessions are kept for other nodes ({@link SessionStore#LOCAL}: nowhere)
     * @param nodeId         this node's id in a cluster, in front of client ids and server→client request ids so
     *                       that they never repeat across nodes ("" alone)
     */
    public SessionRegistry(LogLevel defaultLogLevel, SessionStore store, String nodeId) {
        this.defaultLogLevel = defaultLogLevel;
        this.store = store;
        this.clientIdPrefix = nodeId.isEmpty() ? "" : nodeId + "-";
        this.requestIdPrefix = nodeId.isEmpty() ? "" : nodeId + "/";
        store.onChange(this::changedElsewhere);
        // a resource changed on another node: this node's subscriptions/listen requests hear of it (the sessions
        // subscribed to it were told by that node, through their streams)
        store.onResourceUpdated(uri -> resourceListeners.forEach(l -> l.accept(uri)));
        store.onAnswer((id, response) -> {
            Session session = sessions.get(id);
            if (session != null) {
                session.completeHere(response); // false: another node sent it (answers go to every node)
            }
        });
    }

    /** True when sessions opened with {@link #openShared} can be served by other nodes. */
    public boolean isShared() {
        return store.isShared();
    }

    /** Where shared sessions' streams are kept for every node; null when sessions are not shared. */
    public SessionStreams streams() {
        return store.streams();
    }

    /** How long a shared session may go unused before the store forgets it (the transport's idle timeout). */
    public void idleTimeout(java.time.Duration timeout) {
        store.idleTimeout(timeout);
        storeTouchNanos = Math.max(1, timeout.toNanos() / 4);
    }

    /**
     * Opens a session that other nodes may serve (Streamable HTTP): like {@link #open}, and saved to the store
     * with every change of what it negotiated.
     */
    public Session openShared(String transport, Caller caller, MessageSink standalone) {
        Session session = open(transport, caller, standalone);
        if (store.isShared()) {
            session.onChange(this::save);
            session.relayAnswers(requestIdPrefix, answer -> store.relayAnswer(session.id(), answer));
            try {
                save(session);
            } catch (RuntimeException e) {
                // not opened after all (the store is unreachable): nothing may keep it, it would never be reaped
                sessions.remove(session.id(), session);
                session.close("the shared store cannot be reached");
                throw e;
            }
        }
        return session;
    }

    /**
     * A shared session another node opened, now served here too; empty when the store has none by that id.
     * The caller registers it with its transport.
     *
     * @throws McpException while the store cannot be reached, or (store missing the session) may still be refilled
     *                      after an outage
     */
    public Optional<Session> adopt(String sessionId) {
        if (!store.isShared() || sessionId == null) {
            return Optional.empty();
        }
        Session known = sessions.get(sessionId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<SessionState> stored = store.load(sessionId);
        if (stored.isEmpty() && store.restoring()) {
            throw SessionStore.restoringSession(); // another node may be about to write it back: not a 404 yet
        }
        return stored.map(state -> {
            Caller caller = Caller.builder(state.subject()).scopes(state.scopes()).roles(state.roles())
                    .transport(state.transport()).clientId(state.clientId()).build();
            Session session = new Session(state.id(), state.clientId(), state.transport(), caller, defaultLogLevel,
                    null, false);
            session.restore(state);
            session.onChange(this::save);
            session.relayAnswers(requestIdPrefix, answer -> store.relayAnswer(session.id(), answer));
            Session raced = sessions.putIfAbsent(session.id(), session);
            if (raced == null) {
                adopted.add(session.id());
            }
            return raced != null ? raced : session;
        });
    }

    /** The session was used: a shared one's expiry in the store is pushed back (at most a few times per timeout). */
    public void used(Session session) {
        long now = System.nanoTime();
        if (session.isShared() && now - session.storeTouchNanos > storeTouchNanos) {
            session.storeTouchNanos = now;
            store.touch(session.id(), session.subscriptions());
        }
    }

    /** Ends a session here only: another node may still serve it (a shared one stays in the store). */
    public void evict(Session session, String reason) {
        boolean removed = sessions.remove(session.id(), session);
        session.close(reason);
        if (removed) {
            ended(session);
        }
    }

    /** Whether this node opened the session (rather than serving one another node opened). */
    public boolean openedHere(Session session) {
        return !adopted.contains(session.id());
    }

    /** Calls {@code listener} with every session that leaves this registry (closed, or evicted here). */
    public void onEnded(Consumer<Session> listener) {
        endListeners.add(listener);
    }

    /** Where {@code limits.max-sessions-per-principal} is counted in this process. */
    public SessionSlots slots() {
        return slots;
    }

    /**
     * {@code session} holds {@code slot}, taken when it was admitted, until it ends (closed, or evicted here); a
     * session that ended already gives it back at once.
     */
    public void hold(Session session, SessionSlots.Slot slot) {
        if (slot.hand() && !session.holdSlot(slot)) {
            slot.ended();
        }
    }

    private void ended(Session session) {
        SessionSlots.Slot slot = session.endSlot();
        if (slot != null) {
            slot.ended();
        }
        adopted.remove(session.id());
        endListeners.forEach(l -> l.accept(session));
    }

    private void save(Session session) {
        store.save(SessionState.of(session));
    }

    /**
     * After the link to the store came back, announcements may have been missed: every shared session this node
     * serves is refreshed from the store or, when the store lost it (Redis restarted empty), written back to it, so
     * that the other nodes can serve it again. A session ended elsewhere while this node was cut off comes back too:
     * the lesser evil than ending every session at each Redis restart.
     */
    private void reconnected() {
        for (Session session : sessions.values()) {
            if (!session.isShared() || session.isClosed()) {
                continue;
            }
            try {
                store.load(session.id()).ifPresentOrElse(session::restore, () -> save(session));
            } catch (RuntimeException e) {
                return; // gone again; the next reconnection retries
            }
        }
    }

    /**
     * Calls {@code listener} with each shared session this node served that ended on another node (DELETE there, or
     * gone from the store), right after it was closed here: the transport ends its streams at once.
     */
    public void onEndedElsewhere(Consumer<Session> listener) {
        endedElsewhere.add(listener);
    }

    private void endedElsewhere(Session session, String reason) {
        evict(session, reason);
        endedElsewhere.forEach(l -> l.accept(session));
    }

    /** Another node changed or ended a session this node serves too. */
    private void changedElsewhere(String sessionId, boolean ended) {
        if (sessionId == null) {
            reconnected();
            return;
        }
        Session session = sessions.get(sessionId);
        if (session == null || !session.isShared()) {
            return;
        }
        if (ended) {
            endedElsewhere(session, "the session was ended on another node");
        } else {
            store.load(sessionId).ifPresentOrElse(session::restore,
                    () -> endedElsewhere(session, "the session ended or expired"));
        }
    }

    /**
     * Opens a session for a new connection.
     *
     * @param caller     the principal authenticated at the transport's edge (transport and client id are filled in)
     * @param standalone the channel for messages not tied to a request, may be null
     */
    public Session open(String transport, Caller caller, MessageSink standalone) {
        String clientId = transport + "-" + clientIdPrefix + nextClient.getAndIncrement();
        Caller bound = caller.withTransport(transport).withClientId(clientId);
        Session session = new Session(newSessionId(), clientId, transport, bound, defaultLogLevel, standalone, false);
        sessions.put(session.id(), session);
        return session;
    }

    /** A one-request session for the stateless era; not registered, so it receives no broadcasts. */
    public Session stateless(String transport, Caller caller, MessageSink sink) {
        String clientId = transport + "-" + clientIdPrefix + nextClient.getAndIncrement();
        Caller bound = caller.withTransport(transport).withClientId(clientId);
        return new Session(newSessionId(), clientId, transport, bound, defaultLogLevel, sink, true);
    }

    public Optional<Session> find(String sessionId) {
        return Optional.ofNullable(sessionId == null ? null : sessions.get(sessionId));
    }

    /** Ends a session everywhere: a shared one is deleted from the store, and other nodes drop it. */
    public void close(Session session, String reason) {
        boolean removed = sessions.remove(session.id(), session);
        boolean shared = session.isShared() && !session.isClosed();
        Set<String> subscriptions = Set.copyOf(session.subscriptions()); // closing forgets them
        session.close(reason);
        if (shared) {
            store.delete(session.id(), subscriptions);
        }
        if (removed) {
            ended(session);
        }
    }

    public Collection<Session> all() {
        return sessions.values();
    }

    public int size() {
        return sessions.size();
    }

    public long countByTransport(String transport) {
        return sessions.values().stream().filter(s -> s.transport().equals(transport)).count();
    }

    /** Sends the list_changed notifications for {@code kinds} to every initialized session. */
    public void broadcastListChanged(Set<ChangeKind> kinds) {
        for (Session s : sessions.values()) {
            if (!s.isNegotiated() || s.isClosed()) {
                continue;
            }
            for (ChangeKind kind : kinds) {
                // every node reloading the same plugin would tell a shared session: the first one does
                if (!s.isShared() || store.firstToNotify(s.id(), kind.notification())) {
                    s.standalone().send(JsonRpc.notification(kind.notification(), null));
                }
            }
        }
    }

    /** Also tells {@code listener} of every resource update (stateless-era subscriptions). */
    public void onResourceUpdated(Consumer<String> listener) {
        resourceListeners.add(listener);
    }

    /** Sends {@code notifications/resources/updated} to the sessions subscribed to {@code uri}. */
    public void broadcastResourceUpdated(String uri) {
        resourceListeners.forEach(l -> l.accept(uri));
        var params = Json.object();
        params.put("uri", uri);
        var notification = JsonRpc.notification("notifications/resources/updated", params);
        boolean viaStreams = store.isShared() && store.streams() != null;
        for (Session s : sessions.values()) {
            if ((!viaStreams || !s.isShared()) && s.subscriptions().contains(uri)) {
                s.standalone().send(notification);
            }
        }
        if (viaStreams) {
            tellSharedSubscribers(uri, notification);
        }
    }

    /**
     * This node saw the change, so it tells every shared session subscribed to it in the cluster, once, through the
     * session's stream (read by the node holding the client's connection); the other nodes only tell their
     * {@code subscriptions/listen} requests.
     */
    private void tellSharedSubscribers(String uri, com.fasterxml.jackson.databind.node.ObjectNode notification) {
        store.relayResourceUpdated(uri);
        String data = Json.write(notification);
        try {
            for (String id : store.subscribers(uri)) {
                store.streams().append(id, data);
            }
        } catch (McpException e) {
            System.getLogger(SessionRegistry.class.getName()).log(System.Logger.Level.WARNING,
                    "Redis unreachable: the sessions subscribed to " + uri + " miss its update");
        }
    }

    /** 32 random bytes as hex: visible ASCII, unguessable. */
    public static String newSessionId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
