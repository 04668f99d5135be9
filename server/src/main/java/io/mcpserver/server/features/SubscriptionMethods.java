package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.InFlightRequest;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.registry.ChangeKind;
import io.mcpserver.spi.Caller;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code subscriptions/listen} (2026-07-28): a request that stays open and carries the change
 * notifications the client opted in to, each tagged with the request's id as its subscription id.
 * It ends when the client cancels it (or its connection or stream closes: no response), or when the
 * server stops ({@link #endAll()}: a {@code complete} response).
 */
public final class SubscriptionMethods {

    private final AccessPolicy access;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean ending;

    public SubscriptionMethods(AccessPolicy access) {
        this.access = access;
    }

    public void register(Dispatcher dispatcher) {
        dispatcher.register("subscriptions/listen", this::listen);
    }

    /** Tells every listener that opted in to these kinds of list change. */
    public void listChanged(Set<ChangeKind> kinds) {
        for (Listener l : listeners) {
            for (ChangeKind kind : kinds) {
                if (l.kinds.contains(kind)) {
                    l.send(kind.notification(), Json.object());
                }
            }
        }
    }

    /** Tells every listener subscribed to {@code uri} that the resource changed. */
    public void resourceUpdated(String uri) {
        for (Listener l : listeners) {
            if (l.uris.contains(uri)) {
                ObjectNode params = Json.object();
                params.put("uri", uri);
                l.send("notifications/resources/updated", params);
            }
        }
    }

    /** Ends every subscription gracefully: each listen request is answered with a complete result. */
    public void endAll() {
        ending = true;
        listeners.forEach(l -> l.ended.countDown());
    }

    /** Open subscriptions, for tests and metrics. */
    public int size() {
        return listeners.size();
    }

    private JsonNode listen(Request request) throws InterruptedException {
        JsonNode filter = request.paramsObject().get("notifications");
        if (filter == null || !filter.isObject()) {
            throw McpException.invalidParams("subscriptions/listen needs a 'notifications' object saying what to "
                    + "receive, e.g. {\"toolsListChanged\": true, \"resourceSubscriptions\": [\"file:///x\"]}");
        }
        Set<ChangeKind> kinds = EnumSet.noneOf(ChangeKind.class);
        if (flag(filter, "toolsListChanged")) {
            kinds.add(ChangeKind.TOOLS);
        }
        if (flag(filter, "promptsListChanged")) {
            kinds.add(ChangeKind.PROMPTS);
        }
        if (flag(filter, "resourcesListChanged")) {
            kinds.add(ChangeKind.RESOURCES);
        }
        Set<String> uris = resourceUris(filter, request.session().caller());

        ObjectNode acknowledged = Json.object();
        if (kinds.contains(ChangeKind.TOOLS)) {
            acknowledged.put("toolsListChanged", true);
        }
        if (kinds.contains(ChangeKind.PROMPTS)) {
            acknowledged.put("promptsListChanged", true);
        }
        if (kinds.contains(ChangeKind.RESOURCES)) {
            acknowledged.put("resourcesListChanged", true);
        }
        if (filter.has("resourceSubscriptions")) {
            ArrayNode a = acknowledged.putArray("resourceSubscriptions");
            uris.forEach(a::add);
        }

        request.context().request().markLongLived();
        Listener listener = new Listener(request.id(), request.context().sink(), request.context().request(), kinds,
                uris);
        listener.lock.lock();
        try {
            listeners.add(listener);
            // the acknowledgement goes first: notifications racing with it wait for the lock
            ObjectNode params = Json.object();
            params.set("notifications", acknowledged);
            listener.send("notifications/subscriptions/acknowledged", params);
        } finally {
            listener.lock.unlock();
        }
        try {
            if (!ending) {
                listener.ended.await(); // cancellation interrupts this thread
            }
        } finally {
            listeners.remove(listener);
        }
        ObjectNode result = Json.object();
        result.putObject("_meta").set(RequestMeta.SUBSCRIPTION_ID, request.id());
        return result;
    }

    private static boolean flag(JsonNode filter, String name) {
        JsonNode v = filter.get(name);
        if (v != null && !v.isNull() && !v.isBoolean()) {
            throw McpException.invalidParams("subscriptions/listen: notifications." + name + " must be true or false");
        }
        return v != null && v.asBoolean();
    }

    /** The URIs asked for, less those the caller may not read. */
    private Set<String> resourceUris(JsonNode filter, Caller caller) {
        JsonNode list = filter.get("resourceSubscriptions");
        Set<String> uris = new LinkedHashSet<>();
        if (list == null || list.isNull()) {
            return uris;
        }
        if (!list.isArray()) {
            throw McpException.invalidParams("subscriptions/listen: notifications.resourceSubscriptions must be an "
                    + "array of resource URIs");
        }
        for (JsonNode uri : list) {
            if (!uri.isTextual()) {
                throw McpException.invalidParams("subscriptions/listen: notifications.resourceSubscriptions must "
                        + "hold strings (resource URIs)");
            }
            if (access.allows(caller, AccessPolicy.Kind.RESOURCE, uri.asText())) {
                uris.add(uri.asText());
            }
        }
        return uris;
    }

    /** One open subscription: what it wants and where it goes. */
    private static final class Listener {
        final JsonNode id;
        final MessageSink sink;
        final InFlightRequest request;
        final Set<ChangeKind> kinds;
        final Set<String> uris;
        final CountDownLatch ended = new CountDownLatch(1);
        // a lock, not synchronized: listeners run on virtual threads
        final ReentrantLock lock = new ReentrantLock();

        Listener(JsonNode id, MessageSink sink, InFlightRequest request, Set<ChangeKind> kinds, Set<String> uris) {
            this.id = id;
            this.sink = sink;
            this.request = request;
            this.kinds = kinds;
            this.uris = uris;
        }

        void send(String method, ObjectNode params) {
            params.putObject("_meta").set(RequestMeta.SUBSCRIPTION_ID, id);
            lock.lock();
            try {
                if (!request.isCancelled()) { // nothing more once the client cancelled
                    sink.send(JsonRpc.notification(method, params));
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
