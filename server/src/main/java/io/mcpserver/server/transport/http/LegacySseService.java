package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.config.HttpSettings;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The deprecated HTTP+SSE transport (2024-11-05): {@code GET /sse} opens a session and its one stream,
 * whose first event ({@code endpoint}) names {@code /message?sessionId=…}; each POST there is answered
 * 202 and everything the server says travels on the stream. The session ends with its stream.
 */
final class LegacySseService implements HttpService {

    private static final String TRANSPORT = "sse";

    private final Dispatcher dispatcher;
    private final HttpSessions sessions;
    private final HttpSettings settings;
    private final RequestGuard guard;
    private final SseResponse sse;
    private final BearerGuard bearer;

    LegacySseService(Dispatcher dispatcher, HttpSessions sessions, HttpSettings settings, RequestGuard guard,
                     SseResponse sse, BearerGuard bearer) {
        this.dispatcher = dispatcher;
        this.sessions = sessions;
        this.settings = settings;
        this.guard = guard;
        this.sse = sse;
        this.bearer = bearer;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(settings.ssePath(), this::open)
                .options(settings.ssePath(), (req, res) -> guard.preflight(req, res, "GET, OPTIONS"))
                .any(settings.ssePath(), (req, res) -> guard.methodNotAllowed(res, "GET, OPTIONS"))
                .post(settings.messagePath(), this::message)
                .options(settings.messagePath(), (req, res) -> guard.preflight(req, res, "POST, OPTIONS"))
                .any(settings.messagePath(), (req, res) -> guard.methodNotAllowed(res, "POST, OPTIONS"));
    }

    private void open(ServerRequest req, ServerResponse res) {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        if (!Replies.acceptsEventStream(Replies.header(req, HeaderNames.ACCEPT))) {
            Replies.error(res, Status.NOT_ACCEPTABLE_406, ErrorCodes.INVALID_REQUEST,
                    "Not Acceptable: " + settings.ssePath() + " is a text/event-stream");
            return;
        }
        Optional<HttpSession> opened;
        try {
            opened = sessions.open(TRANSPORT, caller, true, Replies.remote(req));
        } catch (io.mcpserver.server.protocol.McpException e) { // this principal's session limit, or Redis unreachable
            Replies.error(res, e.code() == ErrorCodes.INTERNAL_ERROR ? Status.SERVICE_UNAVAILABLE_503
                    : Status.TOO_MANY_REQUESTS_429, null, e.code(), e.getMessage());
            return;
        }
        if (opened.isEmpty()) {
            Replies.atCapacity(res, null, sessions.maxSessions(), "try again later");
            return;
        }
        HttpSession session = opened.get();
        String endpoint = "event: endpoint\ndata: " + settings.messagePath() + "?sessionId=" + session.id() + "\n\n";
        try {
            sse.serve(res, session, session.standalone(), 0, Duration.ZERO, endpoint);
        } finally {
            // no resumption in this transport: the session lives exactly as long as its stream
            sessions.close(session, "SSE stream closed");
        }
    }

    private void message(ServerRequest req, ServerResponse res) throws IOException {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        String sessionId = req.query().first("sessionId").orElse(null);
        if (sessionId == null || sessionId.isBlank()) {
            Replies.error(res, Status.BAD_REQUEST_400, ErrorCodes.INVALID_REQUEST,
                    "Bad Request: the sessionId query parameter is required (from the endpoint event)");
            return;
        }
        Optional<HttpSession> found;
        try {
            found = sessions.find(sessionId).filter(s -> s.isLegacy() && !s.isClosed())
                    .filter(s -> bearer.owns(s.session(), caller)); // another subject's session: as if it did not exist
        } catch (McpException e) { // in a cluster, an id unknown here is looked up in Redis, which is unreachable
            Replies.error(res, Status.SERVICE_UNAVAILABLE_503, ErrorCodes.INTERNAL_ERROR, e.getMessage());
            return;
        }
        if (found.isEmpty()) {
            Replies.error(res, Status.NOT_FOUND_404, ErrorCodes.INVALID_REQUEST,
                    "Session not found: its SSE stream is closed; open " + settings.ssePath() + " again");
            return;
        }
        HttpSession session = found.get();
        if (BodyBudget.applies(dispatcher) && BodyBudget.refused(dispatcher, bearer, session, req, res)) {
            return; // its principal's byte budget has no room for it: 429, the body unread
        }
        JsonNode message = Replies.message(req, res, settings.maxMessageSize());
        if (message == null) {
            return;
        }
        if (!session.reachable()) { // the answer would travel to the node holding /sse through Redis, which is down
            Replies.error(res, Status.SERVICE_UNAVAILABLE_503, JsonRpc.idOrNull(message), ErrorCodes.INTERNAL_ERROR,
                    io.mcpserver.server.protocol.SessionStore.UNAVAILABLE);
            return;
        }
        session.touch();
        // requests run on their own virtual threads; their answers go to the session's stream
        dispatcher.accept(session.session(), message, session.outbound()); // in a cluster, to the node holding /sse
        res.status(Status.ACCEPTED_202).send("Accepted");
    }

    /** Host/Origin, then the bearer token: the caller, or null once the request was answered (403, 401). */
    private Caller admit(ServerRequest req, ServerResponse res) {
        return guard.admit(req, res) ? bearer.authenticate(req, res, TRANSPORT) : null;
    }
}
