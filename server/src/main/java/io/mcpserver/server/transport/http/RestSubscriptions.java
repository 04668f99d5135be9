package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.Admission;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Change notifications for REST clients: each {@code GET sse/subscribe} stream is one {@code subscriptions/listen}
 * request (2026-07-28) through the dispatcher as the caller — resource updates of the URIs asked for (those the
 * caller may read) and every list change — written as named SSE events. {@code POST subscriptions} names a
 * resource subscription so that a stream can refer to it and {@code DELETE} can end it.
 */
final class RestSubscriptions {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Put on a stream's queue when its listen request has ended. */
    private static final ObjectNode END = Json.object();

    /** Opens the SSE response, once the listen request was admitted. */
    @FunctionalInterface
    interface Opener {
        SseWriter open() throws IOException;
    }

    private record Subscription(String owner, String uri) {
    }

    private final RestCalls calls;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** The sessions of the streams open for a subscription, so that deleting it ends them. */
    private final Map<String, Set<Session>> streams = new ConcurrentHashMap<>();

    RestSubscriptions(RestCalls calls) {
        this.calls = calls;
    }

    String create(Caller caller, String uri) {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        subscriptions.put(id, new Subscription(owner(caller), uri));
        return id;
    }

    /** The URI of the caller's subscription; empty when unknown or someone else's. */
    Optional<String> uri(Caller caller, String id) {
        Subscription s = subscriptions.get(id);
        return s != null && s.owner().equals(owner(caller)) ? Optional.of(s.uri()) : Optional.empty();
    }

    /** Deletes the caller's subscription and ends its streams; false when unknown or someone else's. */
    boolean delete(Caller caller, String id) {
        if (uri(caller, id).isEmpty()) {
            return false;
        }
        subscriptions.remove(id);
        Set<Session> open = streams.remove(id);
        if (open != null) {
            open.forEach(s -> s.cancel(Session.idKey(RestCalls.ID), "the subscription was deleted"));
        }
        return true;
    }

    /**
     * Serves one stream: submits the listen request (a refusal goes to {@code refused}), then writes its
     * notifications as events until it ends or the client goes away, with a comment every {@code keepAlive}.
     */
    void stream(Caller caller, List<String> uris, String subscription, Consumer<ObjectNode> refused, Opener opener,
                Duration keepAlive) {
        LinkedBlockingQueue<ObjectNode> queue = new LinkedBlockingQueue<>();
        Session session = calls.session(caller, queue::add);
        ObjectNode params = Json.object();
        ObjectNode wanted = params.putObject("notifications");
        wanted.put("toolsListChanged", true).put("promptsListChanged", true).put("resourcesListChanged", true);
        ArrayNode resources = wanted.putArray("resourceSubscriptions");
        uris.forEach(resources::add);
        switch (calls.core().dispatcher().submit(session, RestCalls.request("subscriptions/listen", params, null,
                null))) {
            case Admission.Refused r -> {
                refused.accept(r.error());
                return;
            }
            case Admission.Admitted admitted -> admitted.start(queue::add, () -> queue.add(END));
            case Admission.Handled handled -> {
                return;
            }
        }
        if (subscription != null) {
            streams.computeIfAbsent(subscription, k -> ConcurrentHashMap.newKeySet()).add(session);
        }
        try (SseWriter out = opener.open()) {
            out.write(": subscribed\n\n"); // the headers go now, before the first notification
            long n = 0;
            while (true) {
                ObjectNode m = keepAlive.isZero() ? queue.take() : queue.poll(keepAlive.toMillis(),
                        TimeUnit.MILLISECONDS);
                if (m == null) {
                    out.write(SseWriter.KEEP_ALIVE);
                } else if (m == END) {
                    return; // cancelled (deleted) or the server is stopping
                } else if (m.has("method")) {
                    String method = m.path("method").asText().substring("notifications/".length());
                    ObjectNode data = m.get("params") instanceof ObjectNode p ? p.deepCopy() : Json.object();
                    data.remove("_meta");
                    out.write("id: " + (++n) + "\nevent: " + ("subscriptions/acknowledged".equals(method)
                            ? "subscribed" : method) + "\ndata: " + Json.write(data) + "\n\n");
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            session.cancel(Session.idKey(RestCalls.ID), "the client closed the stream");
            if (subscription != null) {
                Set<Session> open = streams.get(subscription);
                if (open != null) {
                    open.remove(session);
                }
            }
        }
    }

    private static String owner(Caller caller) {
        return Objects.toString(caller.subject(), "");
    }
}
