package io.mcpserver.server.testing;

import io.mcpserver.server.protocol.SessionState;
import io.mcpserver.server.protocol.SessionStore;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The session-state half of an in-memory cluster for tests of several nodes: each node is a subclass over one
 * shared map of states (what Redis holds), so a session saved by one node loads on every other. Nothing is
 * announced and nothing expires; the subclass adds what its test needs (streams, relays).
 */
public abstract class MemorySessionStates implements SessionStore {

    private final Map<String, SessionState> states;

    protected MemorySessionStates(Map<String, SessionState> states) {
        this.states = states;
    }

    @Override
    public void save(SessionState state) {
        states.put(state.id(), state);
    }

    @Override
    public Optional<SessionState> load(String sessionId) {
        return Optional.ofNullable(states.get(sessionId));
    }

    @Override
    public void touch(String sessionId, Set<String> subscriptions) {
    }

    @Override
    public void delete(String sessionId, Set<String> subscriptions) {
        states.remove(sessionId);
    }

    @Override
    public void onChange(BiConsumer<String, Boolean> listener) {
    }

    @Override
    public boolean isShared() {
        return true;
    }
}
