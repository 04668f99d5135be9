package io.mcpserver.server.admin;

import io.helidon.common.uri.UriInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.config.AdminSettings;
import io.mcpserver.server.config.HttpSettings;
import io.mcpserver.server.security.AuthFailure;
import io.mcpserver.server.security.AuthResult;
import io.mcpserver.server.security.Authenticator;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.server.transport.http.HttpRefusal;
import io.mcpserver.spi.Caller;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Who may use the admin API and the console. With security on: a bearer token (checked by the one edge
 * authenticator, refusals audited) that carries {@code admin.scope} or {@code admin.role}; no token or a bad one is
 * 401, a token without either is 403. With security off there is no identity to check, so only a client on this
 * machine may: the peer must be a loopback address, and, against DNS rebinding from a local browser, the
 * {@code Host} (and an {@code Origin}, when sent) must name this machine or be listed in
 * {@code transports.http.allowed-hosts} / {@code allowed-origins}.
 */
final class AdminAccess {

    /** The name under which an admin is written to logs and the audit trail with security off. */
    static final String LOCAL_OPERATOR = "local-operator";

    private final EdgeAuthenticator edge;
    private final AdminSettings settings;
    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;

    AdminAccess(EdgeAuthenticator edge, AdminSettings settings, HttpSettings http) {
        this.edge = edge;
        this.settings = settings;
        this.allowedHosts = Set.copyOf(http.allowedHosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
        this.allowedOrigins = Set.copyOf(http.allowedOrigins().stream()
                .map(o -> o.strip().toLowerCase(Locale.ROOT).replaceAll("/+$", "")).toList());
    }

    /**
     * The admin this request stands for, or null after answering it (401, 403 or 429, as JSON).
     *
     * @param queryToken a token from the URL's {@code access_token} parameter, accepted for the console page
     *                   only (a browser cannot set a header when it opens a page); null elsewhere
     */
    String admit(ServerRequest req, ServerResponse res, String queryToken) {
        String remote = AdminJson.remote(req);
        if (!edge.required()) {
            String refusal = localRefusal(req);
            if (refusal != null) {
                AdminJson.error(res, Status.FORBIDDEN_403, "forbidden", refusal);
                return null;
            }
            return LOCAL_OPERATOR;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).map(String::strip).orElse(null);
        String token = header != null ? Authenticator.bearerToken(header) : queryToken;
        AuthResult result = edge.bearer(new EdgeAuthenticator.Peer("admin", remote), token);
        if (result instanceof AuthFailure failure) {
            HttpRefusal refusal = HttpRefusal.unauthorized(failure, metadataUrl(req));
            refusal.headers().forEach(res::header);
            AdminJson.error(res, Status.create(refusal.status()),
                    failure.reason() == AuthFailure.Reason.RATE_LIMITED ? "rate_limited" : "unauthorized",
                    "Unauthorized: " + failure.description());
            return null;
        }
        Caller caller = ((AuthResult.Authenticated) result).caller();
        boolean scoped = !settings.scope().isEmpty() && caller.scopes().contains(settings.scope());
        boolean role = !settings.role().isEmpty() && caller.roles().contains(settings.role());
        if (!scoped && !role) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\", scope=\""
                    + AuthFailure.quoted(settings.scope()) + "\", resource_metadata=\""
                    + AuthFailure.quoted(metadataUrl(req)) + "\"");
            AdminJson.error(res, Status.FORBIDDEN_403, "insufficient_scope", "Forbidden: the admin API needs a token "
                    + "with the scope '" + settings.scope() + "' or the role '" + settings.role() + "' (admin.scope, "
                    + "admin.role); this token's subject '" + caller.subject() + "' has neither");
            return null;
        }
        return caller.subject();
    }

    /** Null when a request may use the admin API with security off, else why not. */
    private String localRefusal(ServerRequest req) {
        SocketAddress peer = req.remotePeer().address();
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null
                || !inet.getAddress().isLoopbackAddress()) {
            return "Forbidden: with security off the admin API answers only clients on this machine (a loopback "
                    + "address); turn security on and use a token with the scope '" + settings.scope()
                    + "' to reach it from elsewhere";
        }
        String host = req.headers().first(HeaderNames.HOST).map(h -> h.strip().toLowerCase(Locale.ROOT)).orElse("");
        if (!isLocalName(hostName(host)) && !allowedHosts.contains(hostName(host))) {
            return "Forbidden: Host '" + shown(host) + "' does not name this machine (DNS-rebinding protection); "
                    + "open it as localhost or 127.0.0.1, or add the name to transports.http.allowed-hosts";
        }
        String origin = req.headers().first(HeaderNames.ORIGIN).map(String::strip).orElse(null);
        if (origin != null && !originAllowed(origin)) {
            return "Forbidden: Origin '" + shown(origin) + "' may not use the admin API; add it to "
                    + "transports.http.allowed-origins";
        }
        return null;
    }

    private boolean originAllowed(String origin) {
        String normalized = origin.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        if (allowedOrigins.contains(normalized) || allowedOrigins.contains("*")) {
            return true;
        }
        try {
            URI uri = new URI(normalized);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && isLocalName(uri.getHost());
        } catch (Exception e) {
            return false; // "null" and malformed origins
        }
    }

    /** {@code localhost:9001} → {@code localhost}; {@code [::1]:9001} → {@code [::1]}. */
    private static String hostName(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static boolean isLocalName(String name) {
        return name.equals("localhost") || name.endsWith(".localhost") || name.equals("[::1]") || name.equals("::1")
                || name.matches("127(\\.\\d{1,3}){3}");
    }

    private static String shown(String text) {
        String t = text.length() > 100 ? text.substring(0, 100) + "…" : text;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private String metadataUrl(ServerRequest req) {
        UriInfo uri = req.requestedUri();
        boolean defaultPort = uri.port() == ("https".equals(uri.scheme()) ? 443 : 80);
        String host = uri.host().contains(":") ? "[" + uri.host() + "]" : uri.host();
        String origin = uri.scheme() + "://" + host + (defaultPort ? "" : ":" + uri.port());
        return edge.metadata().map(m -> m.url(origin)).orElse("");
    }
}
