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

    public SessionRegistry(LogLevel defaultLogLevel) {
        this.defaultLogLevel = defaultLogLevel;
    }

    /**
     * Opens a session for a new connection.
     *
     * @param caller     the principal authenticated at the transport's edge (transport and client id are filled in)
     * @param standalone the channel for messages not tied to a request, may be null
     */
    public Session open(String transport, Caller caller, MessageSink standalone) {
        String clientId = transport + "-" + nextClient.getAndIncrement();
        Caller bound = caller.withTransport(transport).withClientId(clientId);
        Session session = new Session(newSessionId(), clientId, transport, bound, defaultLogLevel, standalone, false);
        sessions.put(session.id(), session);
        return session;
    }

    /** A one-request session for the stateless era; not registered, so it receives no broadcasts. */
    public Session stateless(String transport, Caller caller, MessageSink sink) {
        String clientId = transport + "-" + nextClient.getAndIncrement();
        Caller bound = caller.withTransport(transport).withClientId(clientId);
        return new Session(newSessionId(), clientId, transport, bound, defaultLogLevel, sink, true);
    }

    public Optional<Session> find(String sessionId) {
        return Optional.ofNullable(sessionId == null ? null : sessions.get(sessionId));
    }

    public void close(Session session, String reason) {
        sessions.remove(session.id(), session);
        session.close(reason);
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
                s.standalone().send(JsonRpc.notification(kind.notification(), null));
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
        for (Session s : sessions.values()) {
            if (s.subscriptions().contains(uri)) {
                var params = Json.object();
                params.put("uri", uri);
                s.standalone().send(JsonRpc.notification("notifications/resources/updated", params));
            }
        }
    }

    /** 32 random bytes as hex: visible ASCII, unguessable. */
    public static String newSessionId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
