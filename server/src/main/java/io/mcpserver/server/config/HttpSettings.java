package io.mcpserver.server.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code transports.http.*}: the HTTP listener (Streamable HTTP, legacy HTTP+SSE, WebSocket).
 *
 * @param path               the Streamable HTTP endpoint
 * @param legacySse          whether the 2024-11-05 HTTP+SSE endpoints are served
 * @param ssePath            legacy: the GET endpoint that opens a session's event stream
 * @param messagePath        legacy: the POST endpoint named by the {@code endpoint} event
 * @param allowedOrigins     browser origins allowed besides loopback ones ({@code *} allows any)
 * @param allowedHosts       Host header names accepted besides loopback names when bound to loopback
 * @param sessionIdleTimeout a session with no request, no open stream and nothing running ends after this
 * @param maxSessions        sessions open at once; an initialize beyond it is answered 503
 * @param replayBufferSize   events kept per SSE stream for {@code Last-Event-ID} resumption
 * @param sseRetry           the reconnection delay sent in every stream's {@code retry:} field
 * @param sseKeepAlive       how often an idle stream gets a comment line (finds dead clients); zero: never
 * @param sseCloseAfter      a POST stream's connection is closed after this long without the response
 *                           (the client resumes with GET and {@code Last-Event-ID}); zero: never
 * @param tls                HTTPS (and WSS) for this listener, optionally asking for client certificates
 * @param headerTimeout      how long a request's headers may take to arrive after its request line (slowloris)
 * @param compression        {@code transports.http.compression.*}
 */
public record HttpSettings(boolean enabled, String host, int port, String path, long maxMessageSize,
                           boolean legacySse, String ssePath, String messagePath,
                           List<String> allowedOrigins, List<String> allowedHosts,
                           Duration sessionIdleTimeout, int maxSessions, int replayBufferSize,
                           Duration sseRetry, Duration sseKeepAlive, Duration sseCloseAfter, TlsSettings tls,
                           Duration headerTimeout, Compression compression) {

    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);

    /**
     * {@code transports.http.compression.*}: responses in gzip or deflate when the client asks.
     *
     * @param enabled      whether responses are compressed at all
     * @param minSize      the smallest JSON body worth compressing
     * @param eventStreams whether the SSE streams answering a POST are compressed too
     * @param getStreams   whether the SSE streams a GET opens (long-lived: the session's stream) are compressed too
     */
    public record Compression(boolean enabled, long minSize, boolean eventStreams, boolean getStreams) {
        public static final Compression OFF = new Compression(false, Long.MAX_VALUE, false, false);
    }

    public HttpSettings {
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedHosts = List.copyOf(allowedHosts);
    }

    static HttpSettings read(ConfigReader r, String defaultHost, long defaultMessageSize, java.nio.file.Path home) {
        String path = endpointPath(r, "transports.http.path");
        String ssePath = endpointPath(r, "transports.http.sse-path");
        String messagePath = endpointPath(r, "transports.http.message-path");
        Duration idle = r.duration("transports.http.session-idle-timeout");
        if (idle.isZero()) {
            r.problem("transports.http.session-idle-timeout", "must be greater than zero");
        }
        Duration headerTimeout = r.duration("transports.http.header-timeout");
        if (headerTimeout.isZero() || headerTimeout.isNegative()) {
            r.problem("transports.http.header-timeout", "must be greater than zero");
        }
        return new HttpSettings(
                r.bool("transports.http.enabled"),
                r.string("transports.http.host", defaultHost),
                r.integer("transports.http.port"),
                path,
                r.size("transports.http.max-message-size", defaultMessageSize),
                r.bool("transports.http.legacy-sse"),
                ssePath,
                messagePath,
                r.strings("transports.http.allowed-origins"),
                r.strings("transports.http.allowed-hosts"),
                idle,
                r.integer("transports.http.max-sessions"),
                r.integer("transports.http.sse-replay-buffer"),
                r.duration("transports.http.sse-retry"),
                r.duration("transports.http.sse-keep-alive"),
                r.duration("transports.http.sse-close-after"),
                TlsSettings.read(r, "transports.http.tls", home),
                headerTimeout,
                new Compression(r.bool("transports.http.compression.enabled"),
                        r.size("transports.http.compression.min-size"),
                        r.bool("transports.http.compression.event-streams"),
                        r.bool("transports.http.compression.get-streams")));
    }

    private static String endpointPath(ConfigReader r, String key) {
        String path = r.string(key);
        if (!path.startsWith("/")) {
            r.problem(key, "must start with '/', was '" + path + "'");
        }
        return path;
    }
}
