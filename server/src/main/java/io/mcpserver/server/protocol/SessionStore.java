package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Where shared sessions (Streamable HTTP, legacy SSE) are kept beyond this process, so that another node can
 * serve them. {@link #LOCAL} keeps nothing: one process, today's behaviour at today's cost. With
 * {@code cluster.enabled} the store is Redis ({@code cluster/RedisSessionStore}).
 *
 * <p>Nodes cache the sessions they serve; a change made on one node is announced to the others, which refresh
 * or drop their copy ({@link #onChange}).
 */
public interface SessionStore {

    /** Keeps nothing and announces nothing. */
    SessionStore LOCAL = new SessionStore() {
        @Override
        public void save(SessionState state) {
        }

        @Override
        public Optional<SessionState> load(String id) {
            return Optional.empty();
        }

        @Override
        public void touch(String id, java.util.Set<String> subscriptions) {
        }

        @Override
        public void delete(String id, java.util.Set<String> subscriptions) {
        }

        @Override
        public void onChange(BiConsumer<String, Boolean> listener) {
        }

        @Override
        public boolean isShared() {
            return false;
        }
    };

    /**
     * What a request that needs the shared state gets while the store cannot be reached (-32603, "retry shortly");
     * the HTTP transport answers it with 503.
     */
    static McpException unavailable() {
        return new McpException(ErrorCodes.INTERNAL_ERROR, UNAVAILABLE);
    }

    /** The message of {@link #unavailable()}. */
    String UNAVAILABLE = "The cluster's shared state (Redis) cannot be reached right now; retry shortly";

    /**
     * What a request naming a session the store does not have gets while the store may still be refilled
     * ({@link #restoring()}): -32603 "retry shortly" (HTTP 503), not 404, which would make its client start over.
     */
    static McpException restoringSession() {
        return new McpException(ErrorCodes.INTERNAL_ERROR, RESTORING);
    }

    /** The message of {@link #restoringSession()}. */
    String RESTORING = "The cluster's shared state (Redis) is being restored after an outage; retry shortly";

    /**
     * True for a short while after the link to the store came back: a session missing from it may be one that the
     * node holding it has not written back yet (Redis restarted empty).
     */
    default boolean restoring() {
        return false;
    }

    /** Writes the session's state (a new session, or a change) and tells the other nodes. */
    void save(SessionState state);

    /** The state another node saved; empty when there is none (never created, ended, or expired). */
    Optional<SessionState> load(String id);

    /**
     * The session was used: it expires only after the idle timeout from now, and so do the store's records of its
     * {@code subscriptions} (resource URIs).
     */
    void touch(String id, java.util.Set<String> subscriptions);

    /**
     * The session ended (DELETE, or its stream closed): no node serves it any more, and it is no longer counted as
     * subscribed to {@code subscriptions}.
     */
    void delete(String id, java.util.Set<String> subscriptions);

    /**
     * Calls {@code listener(sessionId, ended)} when another node changed ({@code false}) or ended ({@code true})
     * a session; on a thread of its own, where it may call this store.
     */
    void onChange(BiConsumer<String, Boolean> listener);

    /**
     * Passes the client's answer to a server→client request on to the node that sent the request (the answer was
     * POSTed to another node).
     */
    default void relayAnswer(String sessionId, JsonNode response) {
    }

    /** Calls {@code listener(sessionId, response)} with every answer another node relayed, on a thread of its own. */
    default void onAnswer(BiConsumer<String, JsonNode> listener) {
    }

    /**
     * The streams of shared sessions, kept where every node reads them; null when sessions are not shared (each
     * stream lives in the process that holds its connection).
     */
    default SessionStreams streams() {
        return null;
    }

    /**
     * The shared sessions subscribed to {@code uri} now, on whichever node they were opened; empty when sessions
     * are not shared.
     */
    default java.util.Set<String> subscribers(String uri) {
        return java.util.Set.of();
    }

    /** Tells the other nodes that a resource changed here, for their {@code subscriptions/listen} requests. */
    default void relayResourceUpdated(String uri) {
    }

    /** Calls {@code listener(uri)} with every resource change another node relayed, on a thread of its own. */
    default void onResourceUpdated(java.util.function.Consumer<String> listener) {
    }

    /**
     * True for the first node that wants to send the session this list_changed notification ({@code method})
     * within a second: every node that reloads the same plugin would send it, and the client needs it once.
     */
    default boolean firstToNotify(String sessionId, String method) {
        return true;
    }

    /** True when sessions outlive this process (another node may serve them). */
    boolean isShared();

    /** How long an untouched session is kept; set once by the transport that opens shared sessions. */
    default void idleTimeout(Duration timeout) {
    }
}
