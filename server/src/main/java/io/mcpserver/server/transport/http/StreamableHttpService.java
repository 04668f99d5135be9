package io.mcpserver.server.transport.http;

import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.ClientText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.config.HttpSettings;
import io.mcpserver.server.protocol.Admission;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.ProtocolVersion;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Streamable HTTP endpoint (2025-11-25): POST one message, GET the session's stream, DELETE the
 * session. When the Accept header names {@code text/event-stream}, a request that answers before emitting
 * anything else gets one JSON body, and one that emits first (progress, logs, server→client requests) an SSE
 * stream that carries those and then the response; otherwise it gets one JSON body (its notifications are
 * dropped, and a server→client request fails at once).
 */
final class StreamableHttpService implements HttpService {

    private static final System.Logger LOG = System.getLogger(StreamableHttpService.class.getName());
    private static final String TRANSPORT = "http";

    private final Dispatcher dispatcher;
    private final HttpSessions sessions;
    private final HttpSettings settings;
    private final RequestGuard guard;
    private final SseResponse sse;
    private final BearerGuard bearer;
    private final StatelessHttpRules stateless;

    StreamableHttpService(Dispatcher dispatcher, HttpSessions sessions, HttpSettings settings, RequestGuard guard,
                          SseResponse sse, BearerGuard bearer, StatelessHttpRules stateless) {
        this.dispatcher = dispatcher;
        this.sessions = sessions;
        this.settings = settings;
        this.guard = guard;
        this.sse = sse;
        this.bearer = bearer;
        this.stateless = stateless;
    }

    @Override
    public void routing(HttpRules rules) {
        String path = settings.path();
        rules.post(path, this::post)
                .get(path, this::get)
                .delete(path, this::delete)
                .options(path, (req, res) -> guard.preflight(req, res, "GET, POST, DELETE, OPTIONS"))
                .any(path, (req, res) -> guard.methodNotAllowed(res, "GET, POST, DELETE, OPTIONS"));
    }

    // ---- POST: one JSON-RPC message ----------------------------------------------------------------

    private void post(ServerRequest req, ServerResponse res) throws IOException {
        // a version newer than any legacy one goes to the stateless rules, which answer in the request's terms
        if (!guard.admit(req, res) || (!stateless.claimsVersion(req) && !versionAccepted(req, res))) {
            return;
        }
        Caller caller = bearer.authenticate(req, res, TRANSPORT); // before the body is read
        if (caller == null) {
            return;
        }
        if (!Replies.isJsonContent(req)) {
            Replies.error(res, Status.UNSUPPORTED_MEDIA_TYPE_415, ErrorCodes.INVALID_REQUEST,
                    "Unsupported Media Type: POST a JSON-RPC message as application/json");
            return;
        }
        String accept = Replies.header(req, HeaderNames.ACCEPT);
        boolean eventStream = Replies.wantsEventStream(accept);
        boolean json = Replies.acceptsJson(accept);
        if (!eventStream && !json) {
            Replies.error(res, Status.NOT_ACCEPTABLE_406, ErrorCodes.INVALID_REQUEST,
                    "Not Acceptable: the Accept header must list application/json and text/event-stream");
            return;
        }
        if (bodyRefused(req, res, caller)) {
            return;
        }
        JsonNode message = Replies.message(req, res, settings.maxMessageSize());
        if (message == null) {
            return;
        }
        JsonRpc.Kind kind = JsonRpc.kind(message);
        if (kind == JsonRpc.Kind.INVALID) {
            Replies.error(res, Status.BAD_REQUEST_400, JsonRpc.idOrNull(message), ErrorCodes.INVALID_REQUEST,
                    message.isArray()
                            ? "Invalid Request: JSON-RPC batches are not supported; POST one message at a time"
                            : "Invalid Request: expected one JSON-RPC 2.0 request, notification or response");
            return;
        }
        if (stateless.claims(req, message)) { // protocol 2026-07-28: no session, headers mirror the body
            stateless.serve(req, res, message, eventStream, caller, bearer);
            return;
        }
        String sessionId = Replies.header(req, Replies.SESSION_ID);
        if (sessionId == null && kind == JsonRpc.Kind.REQUEST && "initialize".equals(message.path("method").asText())) {
            initialize((ObjectNode) message, caller, req, res, eventStream && !json);
            return;
        }
        Optional<HttpSession> found = session(sessionId, caller, res);
        if (found.isEmpty()) {
            return;
        }
        HttpSession session = found.get();
        session.touch();
        if (kind != JsonRpc.Kind.REQUEST) {
            dispatcher.submit(session.session(), message); // a notification or response: acted on at once
            res.status(Status.ACCEPTED_202).send();
        } else if (eventStream) {
            stream(session, message, req, res, json);
        } else {
            answerWithJson(session, message, req, res);
        }
    }

    /**
     * Before the body of a request in a session is read: a principal refused lately waits for its read slot, paced at
     * its rate and its byte budget ({@code limits.rate.paced-bytes-per-second}, the declared length counted), so its
     * bodies are not read meanwhile and TCP pushes back on the client. Only its own request waits (not a connection
     * another client could be given next by a proxy); errors about the session are answered later, as before. Then
     * the declared length is taken from the principal's byte budget ({@code limits.rate.per-principal-bytes-per-second}):
     * without room for it the request is answered 429 with {@code Retry-After}, its body unread (true).
     */
    private boolean bodyRefused(ServerRequest req, ServerResponse res, Caller caller) {
        String sessionId = Replies.header(req, Replies.SESSION_ID);
        if (sessionId == null || !BodyBudget.applies(dispatcher)) {
            return false;
        }
        HttpSession session;
        try {
            session = sessions.find(sessionId).filter(s -> !s.isClosed() && bearer.owns(s.session(), caller))
                    .orElse(null);
        } catch (McpException e) {
            return false; // a session of another node, and Redis unreachable: answered once the body is read
        }
        return session != null && BodyBudget.refused(dispatcher, bearer, session, req, res);
    }

    private void initialize(ObjectNode message, Caller caller, ServerRequest req, ServerResponse res,
                            boolean streamOnly) {
        Optional<HttpSession> opened;
        try {
            opened = sessions.open(TRANSPORT, caller, false, Replies.remote(req));
        } catch (McpException e) { // this principal's session limit, or (in a cluster) Redis unreachable
            Replies.error(res, e.code() == ErrorCodes.INTERNAL_ERROR ? Status.SERVICE_UNAVAILABLE_503
                    : Status.TOO_MANY_REQUESTS_429, message.get("id"), e.code(), e.getMessage());
            return;
        }
        if (opened.isEmpty()) {
            Replies.atCapacity(res, message.get("id"), sessions.maxSessions(),
                    "end unused sessions with HTTP DELETE or try again later");
            return;
        }
        HttpSession session = opened.get();
        List<ObjectNode> out = new ArrayList<>();
        try {
            dispatcher.handle(session.session(), message, out::add);
        } catch (RuntimeException | Error e) {
            sessions.close(session, "initialize failed"); // its place under the caps is given back at once
            throw e;
        }
        ObjectNode response = out.isEmpty() ? JsonRpc.error(message.get("id"), ErrorCodes.INTERNAL_ERROR,
                "Internal error: initialize produced no response", null) : out.getLast();
        if (response.has("error")) {
            sessions.close(session, "initialize failed");
            if (bearer.isRefusal(response)) { // a rate limit: 429 with Retry-After, like every other request
                Replies.json(res, bearer.status(req, res, response), response);
                return;
            }
        } else {
            res.header(Replies.SESSION_ID, session.id());
            LOG.log(System.Logger.Level.DEBUG, session + ": session opened");
        }
        if (streamOnly) { // the client takes no JSON (else one JSON body: initialize emits nothing before its response)
            SseStream stream = session.openPostStream(message.get("id"));
            stream.send(response);
            stream.complete();
            sse.serve(res, session, stream, 0, Duration.ZERO, stream.primingEvent(0, sse.retry()), true);
            session.releaseIfDrained(stream);
        } else {
            Replies.json(res, Status.OK_200, response);
        }
    }

    /**
     * Admitted first, on this thread: a refusal with an HTTP status of its own (403 {@code insufficient_scope},
     * 429) is answered with it, as a client expects, not inside a 200 stream. Otherwise the request runs on this
     * thread: one JSON body when the call answers before it emits anything else, its event stream when it emits
     * first (written by a thread of its own while the call goes on, see {@link ReplyOrStream}); always the stream
     * when the client takes no JSON ({@code json} false).
     */
    private void stream(HttpSession session, JsonNode message, ServerRequest req, ServerResponse res,
                        boolean json) {
        Admission admission = dispatcher.submit(session.session(), message);
        if (admission instanceof Admission.Refused refused && bearer.isRefusal(refused.error())) {
            Replies.json(res, bearer.status(req, res, refused.error()), refused.error());
            dispatcher.holdOff(session.session(), refused.error()); // this connection's next request waits
            return;
        }
        ReplyOrStream answer = new ReplyOrStream(message.get("id"), () -> session.openPostStream(message.get("id")),
                (stream, eventFollows) -> {
                    if (!settings.sseCloseAfter().isZero()) {
                        // the stream may end while the call runs on, on this connection's thread: a client that
                        // sent its next request on this connection would wait for the call
                        res.header(HeaderValues.CONNECTION_CLOSE);
                    }
                    sse.serve(res, session, stream, 0, settings.sseCloseAfter(), stream.primingEvent(0, sse.retry()),
                            eventFollows);
                    session.releaseIfDrained(stream);
                }, json);
        switch (admission) {
            case Admission.Admitted admitted -> answer.run(admitted, decisionWait());
            case Admission.Refused refused -> {
                answer.send(refused.error());
                answer.complete();
            }
            case Admission.Handled handled -> answer.complete(); // not for a request
        }
        ObjectNode body = answer.finish();
        if (body != null) {
            Replies.json(res, bearer.status(req, res, body), body); // 403 insufficient_scope, 429 rate limit
        }
    }

    /**
     * How long a call may stay silent before its answer becomes a stream anyway: the keep-alive interval (a long
     * call keeps its connection alive), or {@code sse-close-after} when shorter (a POST connection is not held past
     * it: the client resumes with GET, as with any stream closed early). Zero (no limit) only when both are off.
     */
    private Duration decisionWait() {
        Duration keepAlive = settings.sseKeepAlive();
        Duration closeAfter = settings.sseCloseAfter();
        if (keepAlive.isZero() || (!closeAfter.isZero() && closeAfter.compareTo(keepAlive) < 0)) {
            return closeAfter;
        }
        return keepAlive;
    }

    /** JSON-only client: the response is the body; notifications are dropped; server→client requests are refused. */
    private void answerWithJson(HttpSession session, JsonNode message, ServerRequest req, ServerResponse res) {
        JsonNode id = message.get("id");
        AtomicReference<ObjectNode> response = new AtomicReference<>();
        MessageSink sink = m -> {
            if (JsonRpc.kind(m) == JsonRpc.Kind.REQUEST) {
                // answer for the client, so that the tool learns at once instead of after a timeout
                dispatcher.handle(session.session(), JsonRpc.error(m.get("id"), ErrorCodes.INVALID_REQUEST,
                        "the client accepts only application/json on this request, so the server cannot ask it "
                                + m.path("method").asText(), null), MessageSink.DISCARD);
            } else if (m.has("id") && id.equals(m.get("id"))) {
                response.set(m);
            }
        };
        dispatcher.handle(session.session(), message, sink);
        ObjectNode body = response.get();
        if (body == null) {
            res.status(Status.ACCEPTED_202).send(); // cancelled: the client asked for no answer
        } else {
            Replies.json(res, bearer.status(req, res, body), body); // 403 insufficient_scope, 429 rate limit
            dispatcher.holdOff(session.session(), body); // after a 429 the client ignored: its next request waits
        }
    }

    // ---- GET: the session's stream, or the resumption of any of its streams -------------------------

    private void get(ServerRequest req, ServerResponse res) {
        Caller caller = admitToSession(req, res);
        if (caller == null) {
            return;
        }
        if (!Replies.acceptsEventStream(Replies.header(req, HeaderNames.ACCEPT))) {
            Replies.error(res, Status.NOT_ACCEPTABLE_406, ErrorCodes.INVALID_REQUEST,
                    "Not Acceptable: GET opens a text/event-stream");
            return;
        }
        Optional<HttpSession> found = session(Replies.header(req, Replies.SESSION_ID), caller, res);
        if (found.isEmpty()) {
            return;
        }
        HttpSession session = found.get();
        session.touch();
        String lastEventId = Replies.header(req, Replies.LAST_EVENT_ID);
        Optional<HttpSession.Resumption> resumption = session.resume(lastEventId);
        if (resumption.isEmpty()) {
            // SSE's "stop reconnecting": the named stream is over (or unknown) and the standalone one is not its
            LOG.log(System.Logger.Level.DEBUG, session + ": Last-Event-ID " + lastEventId
                    + " names a finished or unknown stream: 204, nothing to resume");
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        SseStream stream = resumption.get().stream();
        long after = resumption.get().after();
        // A newer GET takes the stream over from an older connection (which may be dead but not noticed yet).
        // sse-close-after applies to a POST's own connection only: a resumed stream is held until it is done.
        sse.serve(res, session, stream, after, Duration.ZERO, stream.primingEvent(after, sse.retry()));
        session.releaseIfDrained(stream);
    }

    // ---- DELETE: end the session --------------------------------------------------------------------

    private void delete(ServerRequest req, ServerResponse res) {
        Caller caller = admitToSession(req, res);
        if (caller == null) {
            return;
        }
        Optional<HttpSession> found = session(Replies.header(req, Replies.SESSION_ID), caller, res);
        if (found.isEmpty()) {
            return;
        }
        sessions.close(found.get(), "ended by the client (HTTP DELETE)");
        res.status(Status.OK_200).send();
    }

    // ---- shared checks ------------------------------------------------------------------------------

    /**
     * The first checks of GET and DELETE: Host/Origin, the 405 of the stateless era, MCP-Protocol-Version, then
     * the bearer token. The caller, or null once the request was answered.
     */
    private Caller admitToSession(ServerRequest req, ServerResponse res) {
        if (!guard.admit(req, res) || stateless.refused(req, res) || !versionAccepted(req, res)) {
            return null;
        }
        return bearer.authenticate(req, res, TRANSPORT);
    }

    /**
     * The session a request names, or empty after answering 400 (no id) or 404 (unknown, ended, or another
     * subject's: a session id is no key to someone else's session).
     */
    private Optional<HttpSession> session(String sessionId, Caller caller, ServerResponse res) {
        if (sessionId == null || sessionId.isEmpty()) {
            Replies.error(res, Status.BAD_REQUEST_400, ErrorCodes.INVALID_REQUEST,
                    "Bad Request: Mcp-Session-Id header is required (use the one returned by initialize)");
            return Optional.empty();
        }
        Optional<HttpSession> session;
        try {
            session = sessions.find(sessionId).filter(s -> !s.isLegacy() && !s.isClosed())
                    .filter(s -> bearer.owns(s.session(), caller));
        } catch (McpException e) { // a session of another node, and Redis unreachable
            Replies.error(res, Status.SERVICE_UNAVAILABLE_503, ErrorCodes.INTERNAL_ERROR, e.getMessage());
            return Optional.empty();
        }
        if (session.isEmpty()) {
            Replies.error(res, Status.NOT_FOUND_404, ErrorCodes.INVALID_REQUEST,
                    "Session not found: it ended or expired; send a new initialize request without Mcp-Session-Id");
        }
        return session;
    }

    /** MCP-Protocol-Version: absent means 2025-03-26; one this server does not speak is a 400. */
    private boolean versionAccepted(ServerRequest req, ServerResponse res) {
        String version = Replies.header(req, Replies.PROTOCOL_VERSION);
        if (version == null || ProtocolVersion.of(version).isPresent()) {
            return true;
        }
        // UnsupportedProtocolVersionError: a stateless client recognizes it and retries with a supported version
        Replies.json(res, Status.BAD_REQUEST_400, JsonRpc.error(null, RequestMeta.unsupportedVersion(version,
                "Bad Request: unsupported MCP-Protocol-Version '" + ClientText.shown(version) + "'")));
        return false;
    }
}
