package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one client connection (or one HTTP session) negotiated, and its channels back to the client.
 * Legacy-era state (version, capabilities, log level, subscriptions) is set by {@code initialize};
 * a stateless-era request gets a short-lived session built from its {@code _meta}.
 */
public final class Session {

    private final String id;
    private final String clientId;
    private final String transport;
    private final boolean stateless;
    private volatile Caller caller;
    private volatile ProtocolVersion protocolVersion;
    private volatile JsonNode clientCapabilities;
    private volatile Map<String, Object> clientInfo = Map.of();
    private volatile LogLevel logLevel;
    private volatile boolean initializeSeen;
    private volatile boolean closed;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile MessageSink standalone;
    /** Presence: when it opened (wall clock), where the client is, how the transport drops it. */
    private final long openedAtMillis = System.currentTimeMillis();
    private final long openedAtNanos = System.nanoTime();
    private volatile String remote;
    private volatile Runnable disconnect;
    private volatile boolean detached;
    /** Told of every change to the negotiated state: a shared session's registry saves it to the store. */
    private volatile java.util.function.Consumer<Session> onChange;
    /** In front of server→client request ids: the node's id in a cluster, so that any node can tell whose it is. */
    private volatile String requestIdPrefix = "";
    /** Where an answer to a server→client request this node did not send goes: the node that sent it. */
    private volatile java.util.function.Consumer<JsonNode> answerRelay;
    /** When the store was last told this session is in use ({@link SessionRegistry#used}). */
    volatile long storeTouchNanos = System.nanoTime();
    /** Its place under limits.max-sessions-per-principal; {@link SessionSlots.Slot#ENDED} once it ended. */
    private volatile SessionSlots.Slot slot;
    private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<Session, SessionSlots.Slot> SLOT =
            java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(Session.class, SessionSlots.Slot.class,
                    "slot");

    private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
    private final Map<String, InFlightRequest> inFlight = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> pendingClientRequests = new ConcurrentHashMap<>();
    private final AtomicLong nextClientRequestId = new AtomicLong(1);

    public Session(String id, String clientId, String transport, Caller caller, LogLevel logLevel,
                   MessageSink standalone, boolean stateless) {
        this.id = id;
        this.clientId = clientId;
        this.transport = transport;
        this.caller = caller;
        this.logLevel = logLevel;
        this.standalone = standalone == null ? MessageSink.DISCARD : standalone;
        this.stateless = stateless;
    }

    public String id() {
        return id;
    }

    public String clientId() {
        return clientId;
    }

    public String transport() {
        return transport;
    }

    /** True for a stateless-era request's one-off session: no notifications outlive the request. */
    public boolean isStateless() {
        return stateless;
    }

    public Caller caller() {
        return caller;
    }

    /**
     * The identity the transport's edge authenticated for this session (a connection's first message, or a newer
     * token of the same subject): its subject, scopes and roles; transport, client id and client info stay.
     */
    public void authenticated(Caller who) {
        Caller before = caller;
        this.caller = caller.withSubject(who.subject()).withScopes(who.scopes()).withRoles(who.roles());
        if (!before.scopes().equals(caller.scopes()) || !before.roles().equals(caller.roles())) {
            changed();
        }
    }

    public ProtocolVersion protocolVersion() {
        return protocolVersion;
    }

    public JsonNode clientCapabilities() {
        return clientCapabilities;
    }

    public Map<String, Object> clientInfo() {
        return clientInfo;
    }

    /** Records the outcome of {@code initialize} (or of a stateless request's {@code _meta}). */
    public void negotiated(ProtocolVersion version, JsonNode capabilities, Map<String, Object> clientInfo) {
        this.protocolVersion = version;
        this.clientCapabilities = capabilities == null ? Json.object() : capabilities;
        this.clientInfo = clientInfo == null ? Map.of() : Map.copyOf(clientInfo);
        this.caller = caller.withClientInfo(this.clientInfo);
        this.initializeSeen = true;
        changed();
    }

    /** True once {@code initialize} succeeded (or for stateless sessions). */
    public boolean isNegotiated() {
        return initializeSeen;
    }

    public LogLevel logLevel() {
        return logLevel;
    }

    /** Sets the level; when a shared session cannot be saved, the level stays as it was and the failure is thrown. */
    public void logLevel(LogLevel level) {
        LogLevel before = this.logLevel;
        this.logLevel = level;
        try {
            changed();
        } catch (RuntimeException e) {
            this.logLevel = before; // the client is told it failed: it must not hold here and come back elsewhere
            throw e;
        }
    }

    /** Whether the client declared a capability, e.g. {@code sampling} or {@code elicitation}. */
    public boolean clientHas(String capability) {
        JsonNode caps = clientCapabilities;
        return caps != null && caps.hasNonNull(capability);
    }

    public JsonNode clientCapability(String capability) {
        JsonNode caps = clientCapabilities;
        return caps == null ? null : caps.get(capability);
    }

    /** The channel for messages not tied to a request (list_changed, resources/updated). */
    public MessageSink standalone() {
        return standalone;
    }

    public void standalone(MessageSink sink) {
        this.standalone = sink == null ? MessageSink.DISCARD : sink;
    }

    /** The subscribed URIs; who changes them calls {@link #changed()}. */
    public Set<String> subscriptions() {
        return subscriptions;
    }

    /** The negotiated state changed (a subscription, the log level…): a shared session is saved for other nodes. */
    public void changed() {
        java.util.function.Consumer<Session> listener = onChange;
        if (listener != null && !closed) {
            listener.accept(this);
        }
    }

    void onChange(java.util.function.Consumer<Session> listener) {
        this.onChange = listener;
    }

    /** A shared session: its server→client request ids start with {@code prefix}; foreign answers go to {@code relay}. */
    void relayAnswers(String prefix, java.util.function.Consumer<JsonNode> relay) {
        this.requestIdPrefix = prefix;
        this.answerRelay = relay;
    }

    /** Takes the state another node saved, without announcing it again. */
    void restore(SessionState state) {
        this.caller = caller.withSubject(state.subject()).withScopes(state.scopes()).withRoles(state.roles())
                .withClientInfo(state.clientInfo());
        this.protocolVersion = state.version() == null ? null : ProtocolVersion.of(state.version()).orElse(null);
        this.clientCapabilities = state.clientCapabilities() == null ? Json.object() : state.clientCapabilities();
        this.clientInfo = state.clientInfo();
        this.logLevel = state.logLevel();
        this.initializeSeen = state.version() != null;
        synchronized (subscriptions) {
            subscriptions.retainAll(state.subscriptions());
            subscriptions.addAll(state.subscriptions());
        }
    }

    /** True when this session's state is kept in a shared store (another node may serve it). */
    public boolean isShared() {
        return onChange != null;
    }

    public void touch() {
        lastActivityNanos = System.nanoTime();
    }

    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    public boolean isClosed() {
        return closed;
    }

    // ---- presence (what an operator sees of this session) ----

    /** When the session was opened, in milliseconds since the epoch. */
    public long openedAtMillis() {
        return openedAtMillis;
    }

    /** The wall-clock time of {@link #lastActivityNanos()}, in milliseconds since the epoch. */
    public long lastActivityMillis() {
        return openedAtMillis + (lastActivityNanos - openedAtNanos) / 1_000_000;
    }

    /** The client's address as the transport sees it ({@code host:port}, {@code stdio}); null if unknown. */
    public String remote() {
        return remote;
    }

    /**
     * How the transport drops this client: set once by the transport when it can end the connection from the
     * server's side (close the socket, end the streams); null when it cannot (stdio is the server's own parent).
     */
    public void presence(String remote, Runnable disconnect) {
        this.remote = remote;
        this.disconnect = disconnect;
    }

    /** The transport's way to drop the client (see {@link #presence}), or null. */
    public Runnable disconnect() {
        return disconnect;
    }

    /** Whether the session has no connection now and waits for its client to resume it (sessions.resume-window). */
    public boolean isDetached() {
        return detached;
    }

    public void detached(boolean waiting) {
        this.detached = waiting;
    }

    // ---- in-flight requests (client → server) ----

    InFlightRequest begin(String key) {
        InFlightRequest request = new InFlightRequest(key);
        if (inFlight.putIfAbsent(key, request) != null) {
            return null;
        }
        return request;
    }

    void end(InFlightRequest request) {
        inFlight.remove(request.key(), request);
    }

    public int inFlightCount() {
        return inFlight.size();
    }

    /** Waits until no request is in flight or the deadline passes; true when idle. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (busy()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Running requests other than long-lived ones (subscriptions), which end when the session closes. */
    private boolean busy() {
        long longLived = inFlight.values().stream().filter(InFlightRequest::isLongLived).count();
        return inFlight.size() > longLived;
    }

    /** Cancels the in-flight request with that id key ({@link #idKey}); false if none. */
    public boolean cancel(String key, String reason) {
        InFlightRequest request = inFlight.get(key);
        if (request == null) {
            return false;
        }
        request.cancel(reason);
        return true;
    }

    /** A map key for a JSON-RPC id that keeps "1" and 1 apart. */
    public static String idKey(JsonNode id) {
        return id.isTextual() ? "s:" + id.asText() : "n:" + id.asText();
    }

    // ---- pending requests (server → client) ----

    String nextClientRequestId() {
        return "srv-" + requestIdPrefix + nextClientRequestId.getAndIncrement();
    }

    CompletableFuture<JsonNode> expectResponse(String id) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pendingClientRequests.put(id, f);
        return f;
    }

    void forgetResponse(String id) {
        pendingClientRequests.remove(id);
    }

    /**
     * Completes a server→client request with the client's response message; false if nobody waits for it. In a
     * cluster, an answer to a request another node sent is passed on to it (true).
     */
    boolean completeClientRequest(JsonNode response) {
        if (completeHere(response)) {
            return true;
        }
        java.util.function.Consumer<JsonNode> relay = answerRelay;
        JsonNode id = response.get("id");
        if (relay == null || id == null || !id.isTextual() || id.asText().startsWith("srv-" + requestIdPrefix)) {
            return false; // not shared, or one of this node's own requests that nobody waits for any more
        }
        relay.accept(response);
        return true;
    }

    /** Completes a server→client request this node sent; false if nobody here waits for it. */
    boolean completeHere(JsonNode response) {
        JsonNode id = response.get("id");
        CompletableFuture<JsonNode> f = id == null ? null : pendingClientRequests.remove(id.asText());
        if (f == null) {
            return false;
        }
        f.complete(response);
        return true;
    }

    /** Ends the session: cancels in-flight work and fails pending server→client requests. */
    public void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        inFlight.values().forEach(r -> r.cancel(reason));
        pendingClientRequests.values().forEach(f -> f.completeExceptionally(new CancellationException(reason)));
        pendingClientRequests.clear();
        subscriptions.clear();
        standalone = MessageSink.DISCARD;
    }

    /** The registry hands the session its slot: false when it ended already, or holds one. */
    boolean holdSlot(SessionSlots.Slot given) {
        return SLOT.compareAndSet(this, null, given);
    }

    /** The registry ends the session's hold: the slot it held, if any. */
    SessionSlots.Slot endSlot() {
        SessionSlots.Slot held = SLOT.getAndSet(this, SessionSlots.Slot.ENDED);
        return held == SessionSlots.Slot.ENDED ? null : held;
    }

    /** For logs: {@code transport/clientId}. */
    @Override
    public String toString() {
        return transport + "/" + clientId;
    }
}
