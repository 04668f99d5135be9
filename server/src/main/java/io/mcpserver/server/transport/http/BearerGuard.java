package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.uri.UriInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.security.AuthFailure;
import io.mcpserver.server.security.AuthResult;
import io.mcpserver.server.security.PresentedCredential;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.spi.Caller;

/**
 * Authentication at the HTTP listener's edge (Streamable HTTP and legacy SSE): every request must carry
 * {@code Authorization: Bearer <token>} (OAuth 2.1 §5.1.1: on every request, also within a session), or an API key
 * ({@code Authorization: ApiKey <key>}, {@code X-API-Key: <key>}); a missing
 * or bad one is answered 401 with {@code WWW-Authenticate: Bearer resource_metadata="…"}. A session belongs to
 * the subject that opened it: a request from another subject naming it is answered 404, as if it did not exist.
 * Also serves the protected resource metadata (RFC 9728). The credential itself is checked by the one
 * {@link EdgeAuthenticator}; with security off that lets everyone in.
 */
final class BearerGuard {

    /** Where a client may send an API key instead of {@code Authorization: ApiKey <key>}. */
    static final io.helidon.http.HeaderName X_API_KEY = io.helidon.http.HeaderNames.create("X-API-Key");

    private final EdgeAuthenticator edge;
    private final OriginPolicy hosts;

    /**
     * @param edge  the one edge authenticator (the null object when security is off)
     * @param hosts which {@code Host} values the metadata may be derived from (when {@code security.resource} is
     *              not set): the MCP endpoint's DNS-rebinding rule; null: any
     */
    BearerGuard(EdgeAuthenticator edge, OriginPolicy hosts) {
        this.edge = edge;
        this.hosts = hosts;
    }

    BearerGuard(EdgeAuthenticator edge) {
        this(edge, null);
    }

    /** The well-known metadata routes; nothing when security is off. */
    void routing(HttpRules rules) {
        edge.metadata().ifPresent(metadata -> {
            for (String path : metadata.paths()) {
                rules.get(path, (req, res) -> {
                    res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*"); // public, and fetched by browser clients
                    String host = Replies.header(req, HeaderNames.HOST);
                    if (!metadata.configured() && hosts != null && !hosts.hostAllowed(host)) {
                        // the document would name whatever host the client sent: refuse, as the MCP endpoint does
                        Replies.error(res, Status.FORBIDDEN_403, ErrorCodes.FORBIDDEN, hosts.rejection(null, host)
                                + " (or set security.resource)");
                        return;
                    }
                    Replies.json(res, Status.OK_200, metadata.document(origin(req)));
                });
            }
        });
    }

    /**
     * The caller this request stands for, or null after it was answered 401 (and the refusal audited).
     *
     * @param transport {@code http} or {@code sse}, for the audit trail
     */
    Caller authenticate(ServerRequest req, ServerResponse res, String transport) {
        return authenticate(req, res, transport, Replies::error);
    }

    /** How a refusal's body is written: a JSON-RPC error (MCP endpoints) or a problem (the REST facade). */
    @FunctionalInterface
    interface ErrorBody {
        void send(ServerResponse res, Status status, int code, String message);
    }

    /** {@link #authenticate(ServerRequest, ServerResponse, String)} with the refusal's body written by {@code body}. */
    Caller authenticate(ServerRequest req, ServerResponse res, String transport, ErrorBody body) {
        if (!edge.required()) {
            // security off: the edge lets everyone in as one caller whatever they send, so no header is read and
            // nothing is built for it (issue 16: the authentication SPI costs a request nothing when it is off)
            return edge.unauthenticated();
        }
        String header = Replies.header(req, HeaderNames.AUTHORIZATION);
        PresentedCredential credential = PresentedCredential.fromHeaders(header, Replies.header(req, X_API_KEY));
        if (credential == null) {
            // a verified TLS client certificate (transports.http.tls.client-auth) stands for its subject, as on TCP
            Caller certified = edge.certificate(req.remotePeer().tlsCertificates().orElse(null)).orElse(null);
            if (certified != null) {
                return certified;
            }
        }
        String remote = req.remotePeer().host() + ":" + req.remotePeer().port();
        AuthResult result = edge.authenticate(new EdgeAuthenticator.Peer(transport, remote), credential);
        if (result instanceof AuthFailure failure) {
            HttpRefusal refusal = HttpRefusal.unauthorized(failure, metadataUrl(req));
            refusal.headers().forEach(res::header);
            McpException error = failure.toMcpException();
            body.send(res, Status.create(refusal.status()), error.code(), error.getMessage());
            return null;
        }
        return ((AuthResult.Authenticated) result).caller();
    }

    /**
     * Whether this caller may use the session: only its own subject may. A newer token of that subject
     * (refreshed, or with more scopes after a step-up) replaces the session's grants.
     */
    boolean owns(Session session, Caller caller) {
        if (!session.caller().subject().equals(caller.subject())) {
            return false;
        }
        session.authenticated(caller);
        return true;
    }

    /**
     * The status of a JSON body that answers a request: 403 with an {@code insufficient_scope} challenge for a
     * call the rules refuse, 429 with {@code Retry-After} for a rate limit, else 200.
     */
    Status status(ServerRequest req, ServerResponse res, JsonNode response) {
        return HttpRefusal.forResponse(response, metadataUrl(req)).map(refusal -> {
            refusal.headers().forEach(res::header);
            return Status.create(refusal.status());
        }).orElse(Status.OK_200);
    }

    /** Whether a response is a refusal that has an HTTP status of its own (see {@link #status}). */
    boolean isRefusal(ObjectNode response) {
        return HttpRefusal.forResponse(response, "").isPresent();
    }

    String metadataUrl(ServerRequest req) {
        return edge.metadata().map(m -> m.url(origin(req))).orElse("");
    }

    /** Where the client reached this server: scheme, host and port as it asked for them. */
    static String origin(ServerRequest req) {
        UriInfo uri = req.requestedUri();
        boolean defaultPort = uri.port() == ("https".equals(uri.scheme()) ? 443 : 80);
        String host = uri.host().contains(":") ? "[" + uri.host() + "]" : uri.host();
        return uri.scheme() + "://" + host + (defaultPort ? "" : ":" + uri.port());
    }
}
