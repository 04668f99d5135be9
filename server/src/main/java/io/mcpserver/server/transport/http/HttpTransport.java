package io.mcpserver.server.transport.http;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.mcpserver.server.config.HttpSettings;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.protocol.McpCore;
import io.mcpserver.server.security.ServerSecurity;
import io.mcpserver.server.transport.ServerTransport;
import io.mcpserver.server.transport.TlsContextFactory;
import io.mcpserver.server.transport.ws.WebSocketRouting;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * The HTTP listener: Streamable HTTP ({@code /mcp}), legacy HTTP+SSE ({@code /sse}, {@code /message})
 * and WebSocket on one Helidon WebServer. Every request is served on a virtual thread of its own and
 * blocks; open streams are held by their handler's thread.
 */
public final class HttpTransport implements ServerTransport {

    private static final System.Logger LOG = System.getLogger(HttpTransport.class.getName());

    private final McpCore core;
    private final ServerConfig config;
    private final HttpSettings settings;
    private final Caller caller;
    private final ServerSecurity security;
    private final HttpSessions sessions;
    private volatile WebServer server;

    public HttpTransport(McpCore core, ServerConfig config, Caller caller) {
        this(core, config, caller, null);
    }

    /**
     * @param caller   every client's identity while security is off
     * @param security bearer-token authentication at this listener's edge; null for none
     */
    public HttpTransport(McpCore core, ServerConfig config, Caller caller, ServerSecurity security) {
        this.security = security;
        this.core = core;
        this.config = config;
        this.settings = config.http();
        this.caller = caller;
        this.sessions = new HttpSessions(core, settings.maxSessions(), settings.sessionIdleTimeout(),
                settings.replayBufferSize());
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void start() {
        WebServerConfig.Builder builder = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                // McpServer.close() orders the shutdown (requests finish, then transports stop)
                .shutdownHook(false)
                // An SSE reply is several small writes (headers + priming event, the message, the last chunk):
                // with Nagle on (Helidon's default) each write after the first waits for the client's delayed
                // ACK, ~40 ms per call on Linux (bench/: 23 calls/s at c=1). Same choice as the TCP transport.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .routing(this::routing);
        if (settings.tls().enabled()) {
            builder.tls(tls());
        }
        WebSocketRouting.register(builder, core, config.websocket(), caller, security,
                new OriginPolicy(settings.host(), settings.allowedOrigins(), settings.allowedHosts())::rejection);
        server = builder.build().start();
        sessions.startReaper();
        LOG.log(System.Logger.Level.INFO, "HTTP listening on " + endpoint().substring("http=".length())
                + " (Streamable HTTP " + settings.path()
                + (settings.legacySse() ? ", legacy SSE " + settings.ssePath() + " + " + settings.messagePath() : "")
                + ")");
    }

    /** HTTPS and WSS from {@code transports.http.tls}: the same PEM, keystore and client-certificate rules as TCP. */
    private Tls tls() {
        try {
            return Tls.builder()
                    .sslContext(TlsContextFactory.create(settings.tls()))
                    .clientAuth(switch (settings.tls().clientAuth()) {
                        case NONE -> TlsClientAuth.NONE;
                        case OPTIONAL -> TlsClientAuth.OPTIONAL;
                        case REQUIRED -> TlsClientAuth.REQUIRED;
                    })
                    .build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("transports.http.tls: " + e.getMessage(), e);
        }
    }

    /** The MCP endpoints; package-private so tests can route them without a socket. */
    void routing(HttpRouting.Builder routing) {
        RequestGuard guard = new RequestGuard(new OriginPolicy(settings.host(), settings.allowedOrigins(),
                settings.allowedHosts()));
        SseResponse sse = new SseResponse(settings.sseKeepAlive(), settings.sseRetry());
        BearerGuard bearer = new BearerGuard(security, caller);
        routing.register(bearer::routing); // RFC 9728 metadata, when security is on
        routing.register(new StreamableHttpService(core.dispatcher(), sessions, settings, guard, sse, bearer,
                new ModernHttpRules(core, settings.sseKeepAlive())));
        if (settings.legacySse()) {
            routing.register(new LegacySseService(core.dispatcher(), sessions, settings, guard, sse, bearer));
        }
    }

    /** Sessions open on this listener (Streamable HTTP and legacy SSE). */
    public int sessionCount() {
        return sessions.size();
    }

    /** {@code http=host:port} with the port actually bound (configured port 0 picks a free one). */
    @Override
    public String endpoint() {
        WebServer s = server;
        int port = s != null && s.isRunning() ? s.port() : settings.port();
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return "http=" + (settings.tls().enabled() ? "https://" : "") + host + ":" + port;
    }

    /** The bound port (after {@link #start()}). */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        // streams first: their handler threads return, so that stopping the server does not wait on them
        sessions.close();
        WebServer s = server;
        if (s != null) {
            s.stop();
        }
    }
}
