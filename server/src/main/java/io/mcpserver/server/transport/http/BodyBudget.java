package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.protocol.Dispatcher;

/**
 * What a POST in a known session owes its principal's limits before its body is read, on every HTTP endpoint that
 * takes one (Streamable HTTP, the legacy SSE transport's {@code POST /message}): a principal refused lately waits for
 * its read slot, paced at its rate and its byte budget ({@code limits.rate.paced-bytes-per-second}), so its bodies are
 * not read meanwhile and TCP pushes back on the client; then the declared length is taken from its byte budget
 * ({@code limits.rate.per-principal-bytes-per-second}).
 */
final class BodyBudget {

    private BodyBudget() {
    }

    /** Whether the dispatcher paces or counts anyone: else the session need not even be looked up. */
    static boolean applies(Dispatcher dispatcher) {
        return dispatcher.pacesAnyone() || dispatcher.countsBytes();
    }

    /**
     * Paces the request, then takes its declared length from the budget. Without room for it the request is answered
     * 429 with {@code Retry-After}, its body unread, and its principal paced from then on: true.
     */
    static boolean refused(Dispatcher dispatcher, BearerGuard bearer, HttpSession session, ServerRequest req,
                           ServerResponse res) {
        long bytes = Math.max(0, Replies.declaredLength(req));
        dispatcher.paceReading(session.session(), 0, bytes);
        ObjectNode refusal = dispatcher.refusedBody(session.session(), bytes);
        if (refusal == null) {
            return false;
        }
        Replies.json(res, bearer.status(req, res, refusal), refusal);
        dispatcher.holdOff(session.session(), refusal); // paced from now on; held if it ignored an earlier hint
        return true;
    }
}
