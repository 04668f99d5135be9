package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two registries ("nodes") on one shared store: what one negotiates the other adopts, a change on either reaches the
 * other, a session ended on one is dropped by the other, evicting keeps it for the rest; with {@link SessionStore#LOCAL}
 * nothing is shared.
 */
public class SharedSessionsTest {

    /** A store shared by registries of one process; announces synchronously, to every registry but the writer. */
    public static final class SharedMemoryStore {
        final Map<String, SessionState> states = new ConcurrentHashMap<>();
        final List<Node> nodes = new CopyOnWriteArrayList<>();

        public SessionStore node() {
            Node n = new Node();
            nodes.add(n);
            return n;
        }

        final class Node implements SessionStore {
            final List<BiConsumer<String, Boolean>> listeners = new CopyOnWriteArrayList<>();
            final List<BiConsumer<String, JsonNode>> answerListeners = new CopyOnWriteArrayList<>();
            volatile boolean restoring;
            volatile boolean unreachable;

            @Override
            public boolean restoring() {
                return restoring;
            }

            @Override
            public void relayAnswer(String sessionId, JsonNode response) {
                nodes.stream().filter(n -> n != this).forEach(n -> n.answerListeners.forEach(l -> l.accept(sessionId, response)));
            }

            @Override
            public void onAnswer(BiConsumer<String, JsonNode> listener) {
                answerListeners.add(listener);
            }

            private void announce(String id, boolean ended) {
                nodes.stream().filter(n -> n != this).forEach(n -> n.listeners.forEach(l -> l.accept(id, ended)));
            }

            @Override
            public void save(SessionState state) {
                if (unreachable) {
                    throw SessionStore.unavailable();
                }
                states.put(state.id(), state);
                announce(state.id(), false);
            }

            @Override
            public Optional<SessionState> load(String id) {
                return Optional.ofNullable(states.get(id));
            }

            @Override
            public void touch(String id, java.util.Set<String> subscriptions) {
            }

            @Override
            public void delete(String id, java.util.Set<String> subscriptions) {
                states.remove(id);
                announce(id, true);
            }

            @Override
            public void onChange(BiConsumer<String, Boolean> listener) {
                listeners.add(listener);
            }

            @Override
            public boolean isShared() {
                return true;
            }
        }
    }

    private final SharedMemoryStore store = new SharedMemoryStore();
    private final SessionRegistry a = new SessionRegistry(LogLevel.INFO, store.node(), "a");
    private final SharedMemoryStore.Node storeOfB = (SharedMemoryStore.Node) store.node();
    private final SessionRegistry b = new SessionRegistry(LogLevel.INFO, storeOfB, "b");

    @Test
    void whatOneNodeNegotiatedTheOtherServes() {
        Session opened = a.openShared("http", Caller.builder("alice").scopes(Set.of("tools")).build(), null);
        JsonNode caps = Json.object().set("sampling", Json.object());
        opened.negotiated(ProtocolVersion.V2025_06_18, caps, Map.of("name", "client"));
        assertTrue(opened.clientId().startsWith("http-a-"), opened.clientId());

        Session adopted = b.adopt(opened.id()).orElseThrow();
        assertEquals(opened.clientId(), adopted.clientId());
        assertEquals("alice", adopted.caller().subject());
        assertEquals(Set.of("tools"), adopted.caller().scopes());
        assertEquals(ProtocolVersion.V2025_06_18, adopted.protocolVersion());
        assertTrue(adopted.clientHas("sampling"));
        assertTrue(adopted.isNegotiated());
        assertEquals(Map.of("name", "client"), adopted.caller().clientInfo());

        adopted.logLevel(LogLevel.ERROR); // set on b …
        assertEquals(LogLevel.ERROR, opened.logLevel()); // … holds on a
        opened.subscriptions().add("demo://counter");
        opened.changed();
        assertEquals(Set.of("demo://counter"), adopted.subscriptions());
    }

    @Test
    void anAnswerPostedToAnotherNodeReachesTheCallWaitingForIt() throws Exception {
        Session opened = a.openShared("http", Caller.builder("alice").build(), null);
        Session adopted = b.adopt(opened.id()).orElseThrow();
        String id = adopted.nextClientRequestId();
        assertEquals("srv-b/1", id);
        var waiting = adopted.expectResponse(id);

        var answer = Json.object().put("jsonrpc", "2.0").put("id", id);
        answer.putObject("result").put("text", "four");
        assertTrue(opened.completeClientRequest(answer), "a passes b's answer on");
        assertEquals("four", waiting.get(5, java.util.concurrent.TimeUnit.SECONDS).path("result").path("text").asText());

        var stale = Json.object().put("jsonrpc", "2.0").put("id", opened.nextClientRequestId());
        assertFalse(opened.completeClientRequest(stale), "an answer to a's own request nobody waits for stays on a");
    }

    @Test
    void endedOnOneNodeIsGoneOnTheOtherWhileEvictedStaysForTheRest() {
        Session opened = a.openShared("http", Caller.builder("alice").build(), null);
        Session adopted = b.adopt(opened.id()).orElseThrow();

        b.evict(adopted, "idle on b");
        assertTrue(adopted.isClosed());
        assertFalse(opened.isClosed(), "evicting is local");
        Session again = b.adopt(opened.id()).orElseThrow();

        a.close(opened, "DELETE");
        assertTrue(again.isClosed(), "closing ends it on every node");
        assertTrue(b.adopt(opened.id()).isEmpty());
        assertTrue(b.find(opened.id()).isEmpty());
    }

    /**
     * Redis restarted empty and b came back first: a session only a holds is missing from the store until a writes it
     * back, so b answers "retry shortly" (-32603) rather than "gone" meanwhile.
     */
    @Test
    void aSessionMissingWhileTheStoreIsRefilledIsToBeRetriedNotGone() {
        Session opened = a.openShared("http", Caller.builder("alice").build(), null);
        store.states.clear(); // Redis restarted without persistence
        storeOfB.restoring = true;
        McpException retry = org.junit.jupiter.api.Assertions.assertThrows(McpException.class, () -> b.adopt(opened.id()));
        assertEquals(ErrorCodes.INTERNAL_ERROR, retry.code());
        assertEquals(SessionStore.RESTORING, retry.getMessage());

        store.states.put(opened.id(), SessionState.of(opened)); // a wrote it back
        assertTrue(b.adopt(opened.id()).isPresent());
        storeOfB.restoring = false;
        assertTrue(b.adopt("no-such-session").isEmpty(), "once the window is over, a missing session is gone");
    }

    /**
     * While the store cannot be reached, a session that cannot be saved is not opened (nothing keeps it: it would
     * never be reaped) and a change that cannot be saved does not hold here either (its client was told it failed).
     */
    @Test
    void whatCannotBeSavedDoesNotHold() {
        Session held = b.openShared("http", Caller.builder("alice").build(), null);
        storeOfB.unreachable = true;
        int before = b.size();
        McpException refused = org.junit.jupiter.api.Assertions.assertThrows(McpException.class,
                () -> b.openShared("http", Caller.builder("alice").build(), null));
        assertEquals(SessionStore.UNAVAILABLE, refused.getMessage());
        assertEquals(before, b.size(), "the session that could not be saved is not kept");

        LogLevel level = held.logLevel();
        org.junit.jupiter.api.Assertions.assertThrows(McpException.class, () -> held.logLevel(LogLevel.DEBUG));
        assertEquals(level, held.logLevel(), "the refused change does not hold on this node");
    }

    @Test
    void withTheLocalStoreNothingIsShared() {
        SessionRegistry alone = new SessionRegistry(LogLevel.INFO);
        Session session = alone.openShared("http", Caller.builder("alice").build(), null);
        assertFalse(session.isShared());
        assertFalse(alone.isShared());
        assertTrue(alone.adopt(session.id()).isEmpty(), "no store to adopt from");
        assertTrue(alone.find(session.id()).isPresent());
        assertTrue(session.clientId().matches("http-\\d+"), session.clientId());
        alone.idleTimeout(Duration.ofMinutes(1));
        alone.used(session); // nothing to tell
    }
}
