package io.mcpserver.server.transport.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.protocol.ErrorCodes;

/**
 * The checks every MCP endpoint runs first: {@code Host} and {@code Origin} (403 when refused), and the
 * CORS headers for allowed browser origins, including preflight. CORS is answered here rather than by
 * Helidon's CORS module because the allowed origins depend on the same rule as the 403 (loopback origins
 * on any port when bound to loopback), which a static origin list cannot express.
 */
final class RequestGuard {

    private static final String ALLOWED_HEADERS =
            "Content-Type, Accept, Authorization, X-API-Key, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, "
                    + "Mcp-Method, Mcp-Name, Prefer";
    private static final String EXPOSED_HEADERS =
            "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate, Location, Retry-After, Preference-Applied";

    private final OriginPolicy policy;

    RequestGuard(OriginPolicy policy) {
        this.policy = policy;
    }

    /** True when the request may proceed (CORS headers added for a browser); else it was answered 403. */
    boolean admit(ServerRequest req, ServerResponse res) {
        return admit(req, res, Replies::error);
    }

    /** {@link #admit(ServerRequest, ServerResponse)} with the 403's body written by {@code body}. */
    boolean admit(ServerRequest req, ServerResponse res, BearerGuard.ErrorBody body) {
        String origin = Replies.header(req, HeaderNames.ORIGIN);
        String rejection = policy.rejection(origin, Replies.header(req, HeaderNames.HOST));
        if (rejection != null) {
            body.send(res, Status.FORBIDDEN_403, ErrorCodes.FORBIDDEN, "Forbidden: " + rejection);
            return false;
        }
        if (origin != null) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            res.header(HeaderNames.VARY, "Origin");
            res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
        }
        return true;
    }

    /** Answers an OPTIONS request: the CORS preflight of an allowed origin, or the methods. */
    void preflight(ServerRequest req, ServerResponse res, String methods) {
        preflight(req, res, methods, Replies::error);
    }

    /** {@link #preflight(ServerRequest, ServerResponse, String)} with a refusal's body written by {@code body}. */
    void preflight(ServerRequest req, ServerResponse res, String methods, BearerGuard.ErrorBody body) {
        if (!admit(req, res, body)) {
            return;
        }
        res.header(HeaderNames.ALLOW, methods);
        if (req.headers().contains(HeaderNames.ORIGIN)) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods);
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                    req.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS).orElse(ALLOWED_HEADERS));
            res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    void methodNotAllowed(ServerResponse res, String methods) {
        res.header(HeaderNames.ALLOW, methods);
        Replies.error(res, Status.METHOD_NOT_ALLOWED_405, ErrorCodes.INVALID_REQUEST,
                "Method Not Allowed: use " + methods);
    }
}
