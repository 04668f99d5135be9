package io.mcpserver.server.presence;

import io.mcpserver.server.protocol.ProtocolVersion;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionRegistry;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Presence in this process, read straight from the {@link SessionRegistry} that every transport opens its
 * sessions in and closes them from: there is no second list to keep in step, so an entry cannot outlive its
 * session. Stateless-era requests have no session and are not listed.
 */
public final class LocalPresence implements Presence {

    private static final System.Logger LOG = System.getLogger(LocalPresence.class.getName());

    private final SessionRegistry sessions;

    public LocalPresence(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public List<PresenceEntry> list() {
        return sessions.all().stream()
                .filter(s -> !s.isClosed() && !s.isStateless())
                .map(LocalPresence::entry)
                .sorted(Comparator.comparingLong(PresenceEntry::openedAtMillis).thenComparing(PresenceEntry::id))
                .toList();
    }

    @Override
    public Optional<PresenceEntry> find(String id) {
        return session(id).map(LocalPresence::entry);
    }

    @Override
    public Disconnect disconnect(String id, String reason) {
        Optional<Session> found = session(id);
        if (found.isEmpty()) {
            return Disconnect.NOT_FOUND;
        }
        Session session = found.get();
        Runnable drop = session.disconnect();
        if (drop == null) {
            return Disconnect.NOT_SUPPORTED;
        }
        int running = session.inFlightCount();
        drop.run();
        // whatever the transport does next (its read loop ends, its handshake finishes), the session ends now:
        // its calls are cancelled and it leaves the registry (closing twice is harmless)
        sessions.close(session, reason);
        LOG.log(System.Logger.Level.INFO, session + " disconnected: " + reason
                + (running > 0 ? "; cancelled " + running + " running request(s)" : ""));
        return Disconnect.CLOSED;
    }

    private Optional<Session> session(String id) {
        if (id == null) {
            return Optional.empty();
        }
        for (Session s : sessions.all()) {
            if (s.clientId().equals(id) && !s.isClosed() && !s.isStateless()) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    static PresenceEntry entry(Session s) {
        Map<String, Object> info = s.clientInfo();
        ProtocolVersion version = s.protocolVersion();
        return new PresenceEntry(s.clientId(), s.transport(), s.caller().subject(), s.remote(),
                text(info.get("name")), text(info.get("version")), version == null ? null : version.id(),
                s.openedAtMillis(), s.lastActivityMillis(), s.inFlightCount(),
                s.subscriptions().stream().sorted().toList(), s.disconnect() != null, s.isDetached());
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
