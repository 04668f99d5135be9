package io.mcpserver.server.transport.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.mcpserver.server.config.WebSocketSettings;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ClientText;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.ReadTurn;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionSlots;
import io.mcpserver.server.protocol.TraceHeaders;
import io.mcpserver.server.security.AuthFailure;
import io.mcpserver.server.security.AuthResult;
import io.mcpserver.server.security.PresentedCredential;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.server.transport.ReaderYield;
import io.mcpserver.server.transport.http.HttpRefusal;
import io.mcpserver.spi.Caller;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One WebSocket client (Helidon makes one listener per connection): each text message is one JSON-RPC
 * message for the connection's session; binary frames, oversized messages and silent peers are closed
 * with a code and a reason. Helidon's {@link WsSession} is not safe for concurrent senders, so every
 * frame this class sends goes through one lock.
 */
final class WebSocketEndpoint implements WsListener {

    /** The subprotocols spoken here; the first one the client offers, in its order, is echoed. */
    static final List<String> SUBPROTOCOLS = List.of("mcp", "mcp-v1");
    private static final HeaderName SEC_WEBSOCKET_PROTOCOL = HeaderNames.create("Sec-WebSocket-Protocol");
    private static final System.Logger LOG = System.getLogger(WebSocketEndpoint.class.getName());
    /** After our close frame, how long the client has to answer with its own before the socket is dropped. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** The largest payload of a control frame (ping, pong, close), RFC 6455 §5.5. */
    private static final int MAX_CONTROL_PAYLOAD = 125;
    private static final byte[] PING = "mcp".getBytes(StandardCharsets.US_ASCII);
    /** How long an accepted upgrade may take to open before its reservations are given back. */
    static final Duration UPGRADE_WAIT = Duration.ofSeconds(30);

    private final McpCore core;
    private final WebSocketSettings settings;
    private static final HeaderName X_API_KEY = HeaderNames.create("X-API-Key");
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final HeaderName TRACESTATE = HeaderNames.create("tracestate");
    private final EdgeAuthenticator edge;
    private final String scheme;
    private final UpgradeCheck upgradeCheck;
    private final WebSocketConnections connections;
    private volatile Caller authenticated;
    /**
     * The upgrade request's W3C trace context, with tracing on: the parent of the spans of this connection's requests
     * whose {@code _meta} carries none (frames have no headers of their own). Null without a {@code traceparent}.
     */
    private volatile TraceHeaders upgradeTrace;
    private volatile boolean reserved;
    /** limits.max-sessions-per-principal: taken at the upgrade, held by the connection's session from onOpen. */
    private volatile SessionSlots.Slot principalSlot = SessionSlots.Slot.NONE;
    /** Set once by onOpen, or by {@link #upgradeAbandoned} when onOpen did not come: the reservations' fate. */
    private final AtomicBoolean opened = new AtomicBoolean();
    private volatile ScheduledFuture<?> upgradeWait;
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Read by the connection's thread only (Helidon hands messages on one at a time). */
    private final ReaderYield carrier = new ReaderYield();
    private final AtomicBoolean ended = new AtomicBoolean();
    private StringBuilder fragments; // a fragmented message being put together; null between messages
    private long fragmentBytes;
    private WsSession ws;
    private ClientConnection connection;
    private volatile Thread connectionThread;
    private volatile boolean outputClosed;
    private volatile String closeReason;
    /** The client closed with 1000 (normal closure): it is leaving, so its session is not kept for a resume. */
    private volatile boolean goodbye;
    private volatile long lastHeard = System.nanoTime();
    /** When the write in progress began (never 0), or 0 while none is: the write-timeout's watch ({@link #checkWrite}). */
    private volatile long writingSince;
    /** The thread of the write in progress; interrupting it closes the socket it waits on. */
    private volatile Thread writingThread;
    private final AtomicBoolean writeTimedOut = new AtomicBoolean();
    /** The next ping or pong deadline on the watch timer. */
    private volatile ScheduledFuture<?> timer;

    /** @param scheme {@code https} or {@code http}: how this listener is reached, for a 401's metadata URL */
    WebSocketEndpoint(McpCore core, WebSocketSettings settings, EdgeAuthenticator edge, String scheme,
                      UpgradeCheck upgradeCheck, WebSocketConnections connections) {
        this.connections = connections;
        this.core = core;
        this.settings = settings;
        this.edge = edge;
        this.scheme = scheme;
        this.upgradeCheck = upgradeCheck;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        String rejection = upgradeCheck.rejection(headers.first(HeaderNames.ORIGIN).orElse(null),
                headers.first(HeaderNames.HOST).orElse(null));
        if (rejection != null) {
            LOG.log(System.Logger.Level.WARNING, "Refused a WebSocket upgrade on " + prologue.uriPath().path() + ": "
                    + rejection);
            throw RequestException.builder()
                    .type(DirectHandler.EventType.FORBIDDEN)
                    .message(rejection)
                    .build();
        }
        Caller upgrading = authenticate(prologue, headers);
        SessionSlots.Slot slot;
        try { // limits.max-sessions-per-principal: a slot taken now, held by the session onOpen opens
            slot = edge.admitSession(core.sessions(), upgrading.subject());
        } catch (McpException e) {
            throw RequestException.builder().type(DirectHandler.EventType.OTHER)
                    .status(Status.TOO_MANY_REQUESTS_429).message(e.getMessage()).build();
        }
        if (!connections.reserve(settings.maxConnections())) {
            slot.release();
            LOG.log(System.Logger.Level.WARNING, "Refused a WebSocket upgrade: " + settings.maxConnections()
                    + " connections are open (transports.http.websocket.max-connections)");
            throw RequestException.builder().type(DirectHandler.EventType.OTHER)
                    .status(Status.SERVICE_UNAVAILABLE_503)
                    .header(HeaderValues.create("Retry-After", "5"))
                    .message("Too many WebSocket connections: the server allows " + settings.maxConnections()
                            + " at once; try again later")
                    .build();
        }
        reserved = true;
        principalSlot = slot;
        // Helidon calls onOpen once the 101 is written; if writing it fails, nothing tells this listener
        upgradeWait = WebSocketConnections.TIMER.schedule(this::upgradeAbandoned, UPGRADE_WAIT.toMillis(),
                TimeUnit.MILLISECONDS);
        authenticated = upgrading;
        if (core.dispatcher().traces()) {
            upgradeTrace = headers.first(TRACEPARENT)
                    .map(parent -> new TraceHeaders(parent, headers.first(TRACESTATE).orElse(null)))
                    .orElse(null);
        }
        Optional<String> chosen = chosenSubprotocol(headers);
        if (chosen.isPresent()) {
            WritableHeaders<?> answer = WritableHeaders.create();
            answer.set(SEC_WEBSOCKET_PROTOCOL, chosen.get());
            return Optional.of(answer);
        }
        return Optional.empty(); // browsers may offer no subprotocol; MCP over WebSocket is all we speak anyway
    }

    /**
     * The upgrade's caller, from {@code Authorization} ({@code Bearer <token>}, {@code ApiKey <key>}) or
     * {@code X-API-Key} or, for browsers (which cannot set headers on a WebSocket), the {@code access_token} query
     * parameter, which is never logged. Refused: 401 with the
     * bearer challenge, and no connection.
     */
    private Caller authenticate(HttpPrologue prologue, Headers headers) {
        var peer = UpgradePeer.take();
        if (!edge.required()) { // security off: everyone is the one caller; no credential is looked for (issue 16)
            return edge.unauthenticated();
        }
        String header = headers.first(HeaderNames.AUTHORIZATION).orElse(null);
        PresentedCredential credential = PresentedCredential.fromHeaders(header,
                headers.first(X_API_KEY).orElse(null));
        if (credential == null) {
            credential = PresentedCredential.bearer(prologue.query().first("access_token").orElse(null));
        }
        if (credential == null && peer != null) {
            // WSS with a verified client certificate (transports.http.tls.client-auth): it stands for its subject
            Caller certified = edge.certificate(peer.tlsCertificates().orElse(null)).orElse(null);
            if (certified != null) {
                return certified;
            }
        }
        AuthResult result = edge.authenticate(new EdgeAuthenticator.Peer("websocket", UpgradePeer.describe(peer)),
                credential);
        if (result instanceof AuthFailure failure) {
            // the configured public URL (security.resource) when set, else this listener as the client reached it
            String origin = scheme + "://" + headers.first(HeaderNames.HOST).orElse("localhost");
            HttpRefusal refusal = HttpRefusal.unauthorized(failure,
                    edge.metadata().map(m -> m.url(origin)).orElse(""));
            RequestException.Builder answer = RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(Status.create(refusal.status()))
                    .message(failure.toMcpException().getMessage());
            refusal.headers().forEach((name, value) -> answer.header(HeaderValues.create(name, value)));
            throw answer.build();
        }
        return ((AuthResult.Authenticated) result).caller();
    }

    /**
     * The first offered subprotocol this server speaks ({@code mcp}, or {@code mcp-v1} as some clients name it):
     * a client that offers subprotocols fails the handshake unless one of them is echoed.
     */
    static Optional<String> chosenSubprotocol(Headers headers) {
        if (!headers.contains(SEC_WEBSOCKET_PROTOCOL)) {
            return Optional.empty();
        }
        for (String value : headers.get(SEC_WEBSOCKET_PROTOCOL).allValues()) {
            for (String offered : value.split(",")) {
                if (SUBPROTOCOLS.contains(offered.strip())) {
                    return Optional.of(offered.strip());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The upgrade's 101 was never written (the client went away first): its places under the caps are given back.
     */
    private void upgradeAbandoned() {
        if (opened.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "A WebSocket upgrade of '" + ClientText.shown(authenticated.subject())
                    + "' did not open within " + UPGRADE_WAIT.toSeconds() + " s: its places under the caps are given back");
            principalSlot.release();
            releaseSlot();
        }
    }

    @Override
    public void onOpen(WsSession session) {
        ws = session;
        connectionThread = Thread.currentThread(); // Helidon runs each connection on a virtual thread of its own
        boolean late = !opened.compareAndSet(false, true);
        ScheduledFuture<?> wait = upgradeWait;
        if (wait != null) {
            wait.cancel(false);
        }
        if (authenticated == null || late) { // never: an upgrade is authenticated first; but never let one in unchecked
            ended.set(true);
            outputClosed = true;
            if (authenticated == null) {
                releaseSlot();
                session.close(WsCloseCodes.VIOLATED_POLICY, "Unauthorized");
            } else { // opened after its places were given back: it has none
                session.close(WsCloseCodes.TRY_AGAIN_LATER, "The connection took too long to open; connect again");
            }
            return;
        }
        try {
            connection = new ClientConnection(core, "websocket", authenticated, this::send, settings.maxMessageSize());
            core.sessions().hold(connection.session(), principalSlot);
        } finally {
            principalSlot.release(); // unless the session holds it
        }
        var remote = session.socketContext().remotePeer();
        connection.presence(remote.host() + ":" + remote.port(),
                () -> closeWith(WsCloseCodes.NORMAL_CLOSE, "Closed by the server's administrator"));
        LOG.log(System.Logger.Level.INFO, connection.session() + " connected from " + remote.host() + ":" + remote.port()
                + " (subprotocol " + session.subProtocol().orElse("none") + ")");
        connections.opened(this);
        connection.onTakenOver(() -> closeWith(WsCloseCodes.GOING_AWAY, "Session resumed on another connection"));
        schedulePing();
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        lastHeard = System.nanoTime();
        if (outputClosed) {
            return;
        }
        if (last && fragments == null) {
            receive(text); // the usual case: one frame, already within the limit (Helidon's frame limit)
            return;
        }
        fragmentBytes += utf8Length(text);
        if (fragmentBytes > settings.maxMessageSize()) {
            LOG.log(System.Logger.Level.WARNING, connection.session() + ": a fragmented message passed "
                    + settings.maxMessageSize() + " bytes (max-message-size); closing with 1009");
            fragments = null;
            closeWith(WsCloseCodes.TOO_BIG, "Message too big: the limit is " + settings.maxMessageSize() + " bytes");
            return;
        }
        if (fragments != null && !fragments.isEmpty() && fragments.charAt(fragments.length() - 1) == '\uFFFD'
                && !text.isEmpty() && text.charAt(0) == '\uFFFD') {
            // Helidon 4.2.3 decodes each frame by itself, so a character split across two frames arrives as U+FFFD
            // at the end of one and the start of the next: refuse it rather than pass on altered text
            // (WebSocketFuzzTest, input found-utf8-split-across-fragments)
            LOG.log(System.Logger.Level.INFO, connection.session() + ": a text frame ended inside a UTF-8 character;"
                    + " closing with 1003");
            fragments = null;
            closeWith(WsCloseCodes.CANNOT_ACCEPT, "A UTF-8 character split across two frames cannot be taken: "
                    + "end each frame on a character boundary");
            return;
        }
        if (fragments == null) {
            fragments = new StringBuilder();
        }
        fragments.append(text);
        if (last) {
            String message = fragments.toString();
            fragments = null; // nothing kept between messages: most connections never see a fragment
            fragmentBytes = 0;
            receive(message);
        }
    }

    /**
     * Hands one message on; the dispatcher admits it on this thread, where the upgrade's trace context is set. A
     * principal over its rate waits for its turn (one message at a time over all its connections: Helidon reads no
     * further frame of this connection meanwhile) and has its requests refused unparsed; then, before this returns
     * and Helidon reads and unmasks the next frame, it waits for its next read slot (its connections are read at its
     * rate), and while its requests running reach {@code max-in-flight-per-principal} (fairness under flood,
     * docs/resilience.md).
     */
    private void receive(String message) {
        try (ReadTurn turn = connection.turn()) {
            TraceHeaders trace = upgradeTrace;
            if (trace == null) {
                deliver(message);
            } else {
                trace.around(() -> deliver(message));
            }
        }
        connection.paceReading(settings.maxInFlightPerPrincipal(), message.length()); // chars: at least 1 a byte
        // a client that pipelines: Helidon reads on without blocking, so others get the carrier now and then
        carrier.afterMessage(message.length(), connection.session().inFlightCount() > 1);
    }

    private void deliver(String message) {
        if (!connection.refusedUnparsed(message)) {
            connection.receive(message);
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        lastHeard = System.nanoTime();
        if (outputClosed) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, connection.session() + ": sent a binary frame; closing with 1003");
        closeWith(WsCloseCodes.CANNOT_ACCEPT, "Binary frames are not supported: send each JSON-RPC message as text");
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        lastHeard = System.nanoTime();
        if (buffer.available() > MAX_CONTROL_PAYLOAD) { // RFC 6455 §5.5; Helidon passes it on unchecked
            LOG.log(System.Logger.Level.WARNING, connection.session() + ": sent a ping of " + buffer.available()
                    + " bytes; closing with 1002");
            closeWith(WsCloseCodes.PROTOCOL_ERROR, "Control frames carry at most " + MAX_CONTROL_PAYLOAD + " bytes");
            return;
        }
        sendFrame(() -> ws.pong(buffer));
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        lastHeard = System.nanoTime();
        if (buffer.available() > MAX_CONTROL_PAYLOAD) { // RFC 6455 §5.5, as for a ping
            LOG.log(System.Logger.Level.WARNING, connection.session() + ": sent a pong of " + buffer.available()
                    + " bytes; closing with 1002");
            closeWith(WsCloseCodes.PROTOCOL_ERROR, "Control frames carry at most " + MAX_CONTROL_PAYLOAD + " bytes");
        }
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        lastHeard = System.nanoTime();
        goodbye = status == WsCloseCodes.NORMAL_CLOSE;
        if (closeReason == null) {
            closeReason = "client closed (" + status + (reason == null || reason.isBlank() ? "" : " " + reason) + ")";
        }
        // Helidon answers the close frame itself once we return (with 1000, unless a close was sent already):
        // stop our own frames first. It hands us the frame's payload decoded, the 2-byte code and the reason;
        // re-encoding the reason never gives fewer bytes than were sent, so an oversized frame is always seen.
        long payload = 2 + utf8Length(reason == null ? "" : reason);
        sendLock.lock();
        try {
            if (payload > MAX_CONTROL_PAYLOAD && !outputClosed) { // RFC 6455 §5.5
                LOG.log(System.Logger.Level.WARNING, (connection == null ? "websocket" : connection.session()
                        .toString()) + ": sent a close frame of " + payload + " bytes; closing with 1002");
                closeReason = "server closed (1002: a close frame over " + MAX_CONTROL_PAYLOAD + " bytes)";
                try {
                    ws.close(WsCloseCodes.PROTOCOL_ERROR, "Control frames carry at most " + MAX_CONTROL_PAYLOAD
                            + " bytes");
                } catch (RuntimeException e) {
                    // the peer is gone: the connection ends below either way
                }
            }
            outputClosed = true;
        } finally {
            sendLock.unlock();
        }
        end();
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(System.Logger.Level.WARNING, (connection == null ? "websocket" : connection.session().toString())
                + ": error, closing: " + t);
        closeReason = "error (" + t + ")";
    }

    /** Sends one JSON-RPC message as one text frame; once the connection is closing, drops it. */
    private void send(ObjectNode message) {
        String text = Json.write(message);
        sendFrame(() -> ws.send(text, true));
    }

    private void sendFrame(Runnable frame) {
        sendLock.lock();
        try {
            if (outputClosed) {
                return;
            }
            watched(frame);
        } catch (RuntimeException e) {
            outputClosed = true;
            closeReason = closeReason == null ? "client gone (write failed: " + e.getMessage() + ")" : closeReason;
            terminate();
            // the session ends as soon as the connection's thread has (not at the next sweep)
            Thread.ofVirtual().name("mcp-" + connection.clientId() + "-gone").start(() -> {
                awaitEnd(null);
                end();
            });
        } finally {
            sendLock.unlock();
        }
    }

    /** Runs one write (with the send lock held) where the write-timeout's watch sees it. */
    private void watched(Runnable write) {
        writingThread = Thread.currentThread();
        writingSince = System.nanoTime() | 1;
        try {
            write.run();
        } finally {
            writingSince = 0;
        }
    }

    /**
     * Called by the listener's sweep: a write that has not completed for {@code write-timeout} means a client that
     * stopped reading while answers were due (its socket buffers are full): the connection is dropped, with one log
     * line, rather than holding its session's running requests (and their answers) and its reader for good.
     */
    void checkWrite(long now) {
        long since = writingSince;
        Duration limit = settings.writeTimeout();
        if (since == 0 || limit.isZero() || now - since < limit.toNanos() || ended.get()
                || !writeTimedOut.compareAndSet(false, true)) {
            return;
        }
        Thread writer = writingThread;
        LOG.log(System.Logger.Level.WARNING, connection.session() + ": a write has not completed for "
                + limit.toMillis() + " ms (write-timeout): the client is not reading; dropping the connection");
        closeReason = "client not reading (a write blocked for " + limit.toMillis() + " ms, write-timeout)";
        outputClosed = true;
        if (writingSince == since && writer != null && writer.isVirtual()) {
            // a virtual thread blocked on a socket: the socket is closed, the write fails. A platform thread (a
            // plugin's own) would only keep the interrupt: its write fails when terminate() below drops the socket
            writer.interrupt();
        }
        Thread.ofVirtual().name("mcp-" + connection.clientId() + "-stuck").start(() -> {
            terminate();
            awaitEnd(null);
            end();
        });
    }

    /** Starts the closing handshake; a client that does not answer within {@link #CLOSE_WAIT} is cut off. */
    private void closeWith(int code, String reason) {
        sendLock.lock();
        try {
            if (outputClosed) {
                return;
            }
            closeReason = "server closed (" + code + " " + reason + ")";
            outputClosed = true;
            watched(() -> ws.close(code, reason));
        } catch (RuntimeException e) {
            terminate();
        } finally {
            sendLock.unlock();
        }
        Thread.ofVirtual().name("mcp-" + connection.clientId() + "-close").start(() -> {
            if (!awaitEnd(CLOSE_WAIT)) {
                terminate();
                awaitEnd(null);
            }
            end();
        });
    }

    /**
     * The next ping, {@code ping-interval} from now, on the listener's watch timer (no thread of our own waits beside
     * the connection: see {@link WebSocketConnections}). The ping is sent from a short-lived virtual thread, since a
     * write may wait for a slow client; {@code pong-timeout} after it the peer must have been heard from, or it is
     * closed; then the next ping is scheduled.
     */
    private void schedulePing() {
        Duration interval = settings.pingInterval();
        if (interval.isZero() || ended.get()) {
            return;
        }
        timer = WebSocketConnections.TIMER.schedule(
                () -> Thread.ofVirtual().name("mcp-" + connection.clientId() + "-ping").start(this::ping),
                interval.toNanos(), TimeUnit.NANOSECONDS);
        if (ended.get()) { // ended while scheduling: end() may have missed it
            timer.cancel(false);
        }
    }

    private void ping() {
        if (ended.get() || outputClosed) {
            return;
        }
        long sentAt = System.nanoTime();
        sendFrame(() -> ws.ping(BufferData.create(PING)));
        if (outputClosed) {
            return;
        }
        timer = WebSocketConnections.TIMER.schedule(() -> {
            if (ended.get()) {
                return;
            }
            if (lastHeard - sentAt < 0 && !outputClosed) {
                Thread.ofVirtual().name("mcp-" + connection.clientId() + "-silent").start(this::closeSilentPeer);
            } else {
                schedulePing();
            }
        }, settings.pongTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (ended.get()) {
            timer.cancel(false);
        }
    }

    /** Nothing heard for {@code pong-timeout} after a ping: a close frame (1001), the socket dropped, the session ended. */
    private void closeSilentPeer() {
        LOG.log(System.Logger.Level.INFO, connection.session() + ": no answer to a ping within "
                + settings.pongTimeout().toMillis() + " ms (pong-timeout); closing");
        closeReason = "peer silent for " + settings.pongTimeout().toMillis() + " ms after a ping";
        sendLock.lock();
        try {
            outputClosed = true;
            ws.close(WsCloseCodes.GOING_AWAY, "No pong within " + settings.pongTimeout().toMillis() + " ms");
        } catch (RuntimeException e) {
            // the peer is gone: the socket is dropped below either way
        } finally {
            sendLock.unlock();
        }
        terminate();
        awaitEnd(null);
        end();
    }

    /**
     * Called by the listener's sweep: when the connection's thread has ended without this endpoint hearing of it
     * (a client that vanished, a frame over the size limit), ends the session.
     */
    void endIfGone() {
        Thread thread = connectionThread;
        if (thread != null && !thread.isAlive() && !ended.get()) {
            Thread.ofVirtual().name("mcp-" + connection.clientId() + "-ended").start(this::end);
        }
    }

    /** Shutdown: a close frame (1001) with the reason; the client answers with its own and the session ends. */
    void goingAway(String reason) {
        closeWith(WsCloseCodes.GOING_AWAY, reason);
    }

    /** Waits up to {@code timeout} for the connection to end; true once it has. */
    boolean awaitEnded(Duration timeout) {
        return connectionThread == null || awaitEnd(timeout);
    }

    /** Waits until the connection's thread has ended; null waits as long as it takes. True once ended. */
    private boolean awaitEnd(Duration timeout) {
        Thread thread = connectionThread;
        try {
            if (timeout == null) {
                thread.join();
                return true;
            }
            return thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Drops the socket: interrupting a virtual thread blocked on a socket closes that socket. */
    private void terminate() {
        Thread thread = connectionThread;
        if (thread != null && thread != Thread.currentThread()) {
            thread.interrupt();
        }
    }

    private void releaseSlot() {
        if (reserved) {
            reserved = false;
            connections.release();
        }
    }

    /** Ends the session once: its running requests are cancelled. */
    private void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> next = timer;
        if (next != null) {
            next.cancel(false);
        }
        outputClosed = true;
        connections.ended(this);
        releaseSlot();
        Session session = connection.session();
        int running = session.inFlightCount();
        var ending = connection.end(goodbye);
        String reason = closeReason != null ? closeReason
                : "connection ended without a close handshake (client gone, or a frame over "
                        + settings.maxMessageSize() + " bytes, max-message-size)";
        LOG.log(System.Logger.Level.INFO, session + " disconnected: " + reason
                + connection.endingNote(ending, running));
    }

    private static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
