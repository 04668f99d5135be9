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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

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

    /** A named subscription; {@code lastUsed} (nanos) moves when it is created and when a stream of it ends. */
    private record Subscription(String owner, String uri, AtomicLong lastUsed) {
    }

    /** A subscription was refused: its owner has {@code max} already. */
    static final class TooManySubscriptions extends Exception {
        final int max;

        TooManySubscriptions(int max) {
            super(null, null, false, false);
            this.max = max;
        }
    }

    private final RestCalls calls;
    private final int maxPerOwner;
    private final Duration idle;
    private final LongSupplier nanoClock;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** Subscriptions per owner, against {@code maxPerOwner}. */
    private final Map<String, AtomicInteger> owned = new ConcurrentHashMap<>();
    /** The sessions of the streams open for a subscription, so that deleting it ends them. */
    private final Map<String, Set<Session>> streams = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    /**
     * @param maxPerOwner subscriptions one principal may hold ({@code limits.max-subscriptions-per-session})
     * @param idle        a subscription no stream has used for this long is forgotten
     *                    ({@code transports.http.session-idle-timeout}): a client that never deletes what it named
     *                    must not hold server memory for ever
     */
    RestSubscriptions(RestCalls calls, int maxPerOwner, Duration idle, LongSupplier nanoClock) {
        this.calls = calls;
        this.maxPerOwner = maxPerOwner;
        this.idle = idle;
        this.nanoClock = nanoClock;
        this.lastSweep = new AtomicLong(nanoClock.getAsLong());
    }

    String create(Caller caller, String uri) throws TooManySubscriptions {
        sweep();
        String owner = owner(caller);
        AtomicInteger count = owned.computeIfAbsent(owner, o -> new AtomicInteger());
        if (count.incrementAndGet() > maxPerOwner) {
            count.decrementAndGet();
            throw new TooManySubscriptions(maxPerOwner);
        }
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        subscriptions.put(id, new Subscription(owner, uri, new AtomicLong(nanoClock.getAsLong())));
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
        forget(id);
        Set<Session> open = streams.remove(id);
        if (open != null) {
            open.forEach(s -> s.cancel(Session.idKey(RestCalls.ID), "the subscription was deleted"));
        }
        return true;
    }

    /** How many named subscriptions are held now (all owners). */
    int size() {
        return subscriptions.size();
    }

    private void forget(String id) {
        Subscription s = subscriptions.remove(id);
        if (s != null) {
            owned.computeIfPresent(s.owner(), (o, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    /** Forgets subscriptions no stream has used for {@code idle}; at most once per tenth of it. */
    private void sweep() {
        long now = nanoClock.getAsLong();
        long last = lastSweep.get();
        if (idle.isZero() || idle.isNegative() || now - last < idle.toNanos() / 10
                || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        subscriptions.forEach((id, s) -> {
            Set<Session> open = streams.get(id);
            if ((open == null || open.isEmpty()) && now - s.lastUsed().get() >= idle.toNanos()) {
                forget(id);
            }
        });
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
                Subscription s = subscriptions.get(subscription);
                if (s != null) {
                    s.lastUsed().set(nanoClock.getAsLong()); // idle from now, not from its creation
                }
            }
        }
    }

    private static String owner(Caller caller) {
        return Objects.toString(caller.subject(), "");
    }
}
