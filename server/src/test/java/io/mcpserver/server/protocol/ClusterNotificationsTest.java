package io.mcpserver.server.protocol;

import io.mcpserver.server.registry.ChangeKind;
import io.mcpserver.server.testing.MemorySessionStates;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who tells a shared session what, in a cluster of three registries ("nodes") that all serve it: a resource change is
 * written to the session's stream once, by the node that saw it; the other nodes' {@code subscriptions/listen}
 * requests hear of it too; a list change seen by every node (the same plugin reloaded everywhere) reaches the
 * session once.
 */
class ClusterNotificationsTest {

    /** A shared store in memory: states, one stream per session, the subscriber index, and the relays. */
    static final class Cluster {
        final Map<String, SessionState> states = new ConcurrentHashMap<>();
        final Map<String, List<String>> streams = new ConcurrentHashMap<>();
        final Set<String> notified = ConcurrentHashMap.newKeySet();
        final List<Node> nodes = new CopyOnWriteArrayList<>();

        SessionStore node() {
            Node n = new Node();
            nodes.add(n);
            return n;
        }

        List<String> stream(String sessionId) {
            return streams.getOrDefault(sessionId, List.of());
        }

        final class Node extends MemorySessionStates implements SessionStreams {
            final List<Consumer<String>> resourceListeners = new CopyOnWriteArrayList<>();

            Node() {
                super(states);
            }

            @Override
            public SessionStreams streams() {
                return this;
            }

            @Override
            public Set<String> subscribers(String uri) {
                Set<String> ids = new java.util.HashSet<>();
                states.values().stream().filter(s -> s.subscriptions().contains(uri)).forEach(s -> ids.add(s.id()));
                return ids;
            }

            @Override
            public void relayResourceUpdated(String uri) {
                nodes.stream().filter(n -> n != this).forEach(n -> n.resourceListeners.forEach(l -> l.accept(uri)));
            }

            @Override
            public void onResourceUpdated(Consumer<String> listener) {
                resourceListeners.add(listener);
            }

            @Override
            public boolean firstToNotify(String sessionId, String method) {
                return notified.add(sessionId + " " + method);
            }

            @Override
            public long append(String sessionId, String data) {
                List<String> stream = streams.computeIfAbsent(sessionId, k -> new CopyOnWriteArrayList<>());
                stream.add(data);
                return stream.size();
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> copy(String sessionId, String stream, List<Event> events) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }

            @Override
            public CopyAnswer askToCopy(String sessionId, String stream, java.time.Duration wait) {
                return CopyAnswer.NO_ANSWER;
            }

            @Override
            public void onCopyAsked(java.util.function.BiFunction<String, String,
                    java.util.concurrent.CompletionStage<CopyAnswer>> listener) {
            }

            @Override
            public void forget(String sessionId, String stream) {
            }

            @Override
            public boolean nodeAlive(String nodeId) {
                return true;
            }

            @Override
            public String nodeId() {
                return "node";
            }

            @Override
            public List<Event> after(String sessionId, String name, long seq, int max) {
                List<Event> events = new ArrayList<>();
                List<String> stream = stream(sessionId);
                for (int i = (int) seq; i < stream.size() && events.size() < max; i++) {
                    events.add(new Event(i + 1, stream.get(i)));
                }
                return events;
            }

            @Override
            public void read(String sessionId, long seq) {
            }

            @Override
            public long readMark(String sessionId) {
                return 0;
            }

            @Override
            public void onAppended(BiConsumer<String, String> listener) {
            }

            @Override
            public boolean reachable() {
                return true;
            }

            @Override
            public void onReconnect(Runnable listener) {
            }
        }
    }

    private final Cluster cluster = new Cluster();
    private final SessionRegistry a = new SessionRegistry(LogLevel.INFO, cluster.node(), "a");
    private final SessionRegistry b = new SessionRegistry(LogLevel.INFO, cluster.node(), "b");
    private final SessionRegistry c = new SessionRegistry(LogLevel.INFO, cluster.node(), "c");

    /** A session opened on a, subscribed to {@code uri}, served by {@code servedBy}; its stream is the cluster's log. */
    private Session sharedSession(String uri, SessionRegistry... servedBy) {
        Session opened = a.openShared("http", Caller.builder("alice").build(), null);
        opened.negotiated(ProtocolVersion.V2025_06_18, null, Map.of());
        opened.subscriptions().add(uri);
        opened.changed();
        for (SessionRegistry node : servedBy) {
            Session copy = node.adopt(opened.id()).orElseThrow();
            String id = copy.id();
            copy.standalone(m -> node.streams().append(id, m.toString())); // what the HTTP transport does
        }
        return opened;
    }

    @Test
    void aResourceChangeReachesASubscribedSessionOnceWhicheverNodesServeIt() {
        Session session = sharedSession("demo://counter", a, b); // c never served it, yet sees the change
        c.broadcastResourceUpdated("demo://counter");
        List<String> events = cluster.stream(session.id());
        assertEquals(1, events.size(), "one notification, not one per node: " + events);
        assertTrue(events.getFirst().contains("notifications/resources/updated")
                && events.getFirst().contains("demo://counter"), events.toString());

        c.broadcastResourceUpdated("demo://other");
        assertEquals(1, cluster.stream(session.id()).size(), "nothing for a resource it did not subscribe to");

        c.adopt(session.id()).orElseThrow().standalone(m -> c.streams().append(session.id(), m.toString()));
        a.broadcastResourceUpdated("demo://counter"); // now every node serves it
        assertEquals(2, cluster.stream(session.id()).size(), "once more, not three times: " + cluster.stream(session.id()));
    }

    @Test
    void everyNodesListenRequestsHearOfAChangeOnAnyNodeOnce() {
        List<String> heard = new CopyOnWriteArrayList<>();
        a.onResourceUpdated(uri -> heard.add("a " + uri));
        b.onResourceUpdated(uri -> heard.add("b " + uri));
        c.onResourceUpdated(uri -> heard.add("c " + uri));
        c.broadcastResourceUpdated("demo://counter");
        assertEquals(List.of("a demo://counter", "b demo://counter", "c demo://counter"),
                heard.stream().sorted().toList());
    }

    @Test
    void aListChangeSeenByEveryNodeReachesTheSessionOnce() {
        Session session = sharedSession("demo://counter", a, b, c);
        for (SessionRegistry node : List.of(a, b, c)) {
            node.broadcastListChanged(Set.of(ChangeKind.TOOLS)); // the same plugin reloaded on every node
        }
        List<String> events = cluster.stream(session.id());
        assertEquals(1, events.size(), "one tools list_changed, not one per node: " + events);
        assertTrue(events.getFirst().contains("notifications/tools/list_changed"), events.toString());
    }

    @Test
    void aSessionOfThisNodeAloneIsToldByThisNode() {
        List<String> got = new CopyOnWriteArrayList<>();
        Session tcp = b.open("tcp", Caller.builder("bob").build(), m -> got.add(m.toString()));
        tcp.subscriptions().add("demo://counter");
        b.broadcastResourceUpdated("demo://counter");
        assertEquals(1, got.size(), got.toString());
    }
}
