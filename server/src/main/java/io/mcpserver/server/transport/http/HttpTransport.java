package io.mcpserver.server.transport.http;

import io.helidon.common.tls.Tls;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.mcpserver.server.config.HttpSettings;
import io.mcpserver.server.config.RestSettings;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.observe.ObserveEndpoints;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.TraceHeaders;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.server.transport.ListenerAddress;
import io.mcpserver.server.transport.ServerTransport;
import io.mcpserver.server.transport.TlsContextFactory;
import io.mcpserver.server.transport.ws.WebSocketConnections;
import io.mcpserver.server.transport.ws.WebSocketRouting;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.net.BindException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;

/**
 * The HTTP listener: Streamable HTTP ({@code /mcp}), legacy HTTP+SSE ({@code /sse}, {@code /message})
 * and WebSocket on one Helidon WebServer. Every request is served on a virtual thread of its own and
 * blocks; open streams are held by their handler's thread.
 */
public final class HttpTransport implements ServerTransport {

    private static final System.Logger LOG = System.getLogger(HttpTransport.class.getName());
    /** On shutdown, how long WebSocket clients have to answer the close frame, and SSE streams to flush. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final HeaderName TRACESTATE = HeaderNames.create("tracestate");

    private final McpCore core;
    private final ServerConfig config;
    private final HttpSettings settings;
    private final EdgeAuthenticator edge;
    private final HttpSessions sessions;
    private final ObserveEndpoints observe;
    /** Built by {@link #prepare()}, not bound yet. */
    private volatile WebServer built;
    /** Started: bound and accepting. */
    private volatile WebServer server;
    private volatile WebSocketConnections websockets = new WebSocketConnections();
    private volatile boolean draining;
    private volatile HeaderDeadline headerDeadline;
    /** The REST facade's routes ({@code rest.path}); null when it is off. */
    private final String restPath;
    /** Bytes Helidon buffers per streamed response before writing (see {@link #prepare()}). */
    static final int STREAM_WRITE_BUFFER = 512;
    private volatile java.util.function.Consumer<HttpRouting.Builder> extraRoutes = routing -> { };

    /** Security off: every client is {@code caller}. */
    public HttpTransport(McpCore core, ServerConfig config, Caller caller) {
        this(core, config, EdgeAuthenticator.off(caller), null);
    }

    /**
     * @param edge    authentication at this listener's edge (HTTP and WebSocket upgrades)
     * @param observe {@code /health}, {@code /ready} and {@code /metrics} on this listener; null for none
     */
    public HttpTransport(McpCore core, ServerConfig config, EdgeAuthenticator edge, ObserveEndpoints observe) {
        this.edge = edge;
        this.observe = observe;
        this.core = core;
        this.config = config;
        this.settings = config.http();
        this.sessions = new HttpSessions(core, settings.maxSessions(), settings.sessionIdleTimeout(),
                settings.replayBufferSize());
        sessions.edge(edge);
        this.restPath = config.rest().enabled() ? config.rest().path() : null;
    }

    /**
     * More routes on this listener, beside the MCP endpoints and outside their checks (the admin API and the
     * console, which check access themselves). Call before {@link #prepare()}.
     */
    public HttpTransport routes(java.util.function.Consumer<HttpRouting.Builder> routes) {
        this.extraRoutes = routes;
        return this;
    }

    @Override
    public String name() {
        return "http";
    }

    /**
     * Builds the web server (routing, protocols, features: most of this listener's start-up, run while the plugins
     * load); {@link #start()} binds it.
     */
    @Override
    public void prepare() {
        if (built != null) {
            return;
        }
        HelidonMappers.pinGlobal();
        WebServerConfig.Builder builder = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                // McpServer.close() orders the shutdown (requests finish, then transports stop)
                .shutdownHook(false)
                // An SSE reply is several small writes (headers + priming event, the message, the last chunk):
                // with Nagle on (Helidon's default) each write after the first waits for the client's delayed
                // ACK, ~40 ms per call on Linux (bench/: 23 calls/s at c=1). Same choice as the TCP transport.
                .connectionOptions(o -> o.tcpNoDelay(true))
                // Helidon wraps every streamed response (each SSE stream) in a BufferedOutputStream of this size,
                // allocated up front and held while the stream is open: 4 KB by default, a sixth of an idle SSE
                // stream's heap (bench's scale step). Our streams flush every event at once, so a buffer only
                // gathers the small writes of other streamed bodies (Helidon's health JSON): 512 bytes do that.
                .writeBufferSize(STREAM_WRITE_BUFFER)
                // only the features added here: a Helidon module on the class path adds no endpoint by itself
                .featuresDiscoverServices(false)
                // request bodies with Content-Encoding gzip or deflate (decoded; Replies.body limits the result)
                .contentEncoding(RequestDecoding.context())
                .routing(this::routing);
        if (settings.tls().enabled()) {
            builder.tls(tls());
        }
        headerDeadline = new HeaderDeadline(settings.headerTimeout());
        // one listener that calls both: Helidon 4.2.3 combines several receive listeners into one that forwards no
        // prologue and no headers event at all
        Http1ConnectionListener upgradePeer = io.mcpserver.server.transport.ws.UpgradePeer.LISTENER;
        HeaderDeadline deadline = headerDeadline;
        builder.addProtocol(Http1Config.builder().addReceiveListener(new Http1ConnectionListener() {
            @Override
            public void prologue(io.helidon.webserver.ConnectionContext ctx, io.helidon.http.HttpPrologue prologue) {
                deadline.prologue(ctx, prologue);
                SocketReadBuffer.prologue(ctx, prologue);
            }

            @Override
            public void headers(io.helidon.webserver.ConnectionContext ctx, io.helidon.http.Headers headers) {
                deadline.headers(ctx, headers);
                upgradePeer.headers(ctx, headers);
                SocketReadBuffer.headers(headers);
            }
        }).build());
        var observeFeature = observe == null ? null : observe.feature();
        if (observeFeature != null) {
            builder.addFeature(observeFeature);
        }
        OriginPolicy origins = new OriginPolicy(settings.host(), settings.allowedOrigins(), settings.allowedHosts());
        websockets = WebSocketRouting.register(builder, core, config.websocket(), edge,
                settings.tls().enabled() ? "https" : "http",
                (origin, host) -> draining ? "the server is shutting down" : origins.rejection(origin, host));
        built = builder.build();
    }

    @Override
    public void start() throws BindException {
        String setting = "transports.http.port (--http-port)";
        ListenerAddress.checkBindable(settings.host(), settings.port(), setting);
        prepare();
        server = built.start();
        if (!server.isRunning()) { // Helidon logged why and shut down; never go on without the listener
            throw ListenerAddress.unavailable(settings.host(), settings.port(), setting,
                    "the web server did not start; see the log above");
        }
        sessions.startReaper();
        LOG.log(System.Logger.Level.INFO, "HTTP listening on " + endpoint().substring("http=".length())
                + " (Streamable HTTP " + settings.path()
                + (settings.legacySse() ? ", legacy SSE " + settings.ssePath() + " + " + settings.messagePath() : "")
                + (restPath != null ? ", REST " + restPath : "") + ")");
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
                    // Helidon's default (HTTPS) would check a client certificate against the client's address, as
                    // a client checks a server's: ordinary client certificates name a person or service, not an IP
                    .endpointIdentificationAlgorithm(Tls.ENDPOINT_IDENTIFICATION_NONE)
                    .build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("transports.http.tls: " + e.getMessage(), e);
        }
    }

    /** The MCP endpoints; package-private so tests can route them without a socket. */
    void routing(HttpRouting.Builder routing) {
        // A request refused before its body was read (Host, Content-Type, Accept, a token) leaves the body on the
        // connection. Helidon drains it when the connection stays open, but when the request says Connection: close
        // it neither drains nor closes, and reads the body as the next request: a client behind a proxy that
        // forwards with Connection: close (nginx's default) could smuggle a request past the proxy's rules
        // (HttpDesyncTest, found by HttpFuzzTest). Closing the connection after such a response ends that.
        // (One filter for both checks: every filter adds frames to the stack that each open SSE stream's handler
        // thread keeps for as long as the stream is open.)
        routing.addFilter((chain, req, res) -> {
            if (draining && opensSession(req)) { // shutting down: running work finishes, no new work starts
                res.header(HeaderNames.RETRY_AFTER, "5");
                String detail = "Service Unavailable: the server is shutting down; try again shortly";
                if (isRest(req)) { // the REST facade speaks problem+json, as for its other refusals
                    RestProblem.send(res, Status.SERVICE_UNAVAILABLE_503, ErrorCodes.LIMIT_EXCEEDED, detail);
                } else {
                    Replies.error(res, Status.SERVICE_UNAVAILABLE_503, ErrorCodes.LIMIT_EXCEEDED, detail);
                }
            } else {
                chain.proceed();
            }
            if (res.isSent() && !req.content().consumed()
                    && req.headers().contains(io.helidon.http.HeaderValues.CONNECTION_CLOSE)) {
                throw new io.helidon.webserver.CloseConnectionException("the request's body was not read");
            }
        });
        if (core.dispatcher().traces()) { // a request's W3C trace context, for the spans of the messages it carries
            routing.addFilter((chain, req, res) -> {
                String traceparent = req.headers().first(TRACEPARENT).orElse(null);
                if (traceparent == null) {
                    chain.proceed();
                } else {
                    new TraceHeaders(traceparent, req.headers().first(TRACESTATE).orElse(null)).around(chain::proceed);
                }
            });
        }
        if (settings.compression().enabled()) {
            routing.addFilter(new ResponseCompression(settings.compression()));
        }
        RequestGuard guard = new RequestGuard(new OriginPolicy(settings.host(), settings.allowedOrigins(),
                settings.allowedHosts()));
        SseResponse sse = new SseResponse(settings.sseKeepAlive(), settings.sseRetry());
        BearerGuard bearer = new BearerGuard(edge, new OriginPolicy(settings.host(),
                settings.allowedOrigins(), settings.allowedHosts()));
        // Added as routes of this routing, not register()ed as services: each registered service is one more
        // routing level that every request crawls into (path parameters built per level), and these are the
        // routes nearly every request takes (bench/: RouteCrawler in the small-call HTTP profile, issue 14).
        bearer.routing(routing); // RFC 9728 metadata, when security is on
        new StreamableHttpService(core.dispatcher(), sessions, settings, guard, sse, bearer,
                new StatelessHttpRules(core, settings.sseKeepAlive())).routing(routing);
        if (settings.legacySse()) {
            new LegacySseService(core.dispatcher(), sessions, settings, guard, sse, bearer).routing(routing);
        }
        extraRoutes.accept(routing); // the admin API and the console
        RestSettings rest = config.rest();
        if (rest.enabled()) {
            RestService service = new RestService(new RestCalls(core), settings, rest, guard, bearer,
                    edge.required());
            routing.register(service);
            if (rest.docs()) {
                routing.register(new RestDocs(guard, core.settings().serverName()));
            }
            routing.register(service::fallback);
        }
    }

    /** A request that would begin new work: an initialize or stateless POST (no session id), a legacy stream. */
    private boolean opensSession(ServerRequest req) {
        String path = req.path().path();
        Method method = req.prologue().method();
        return (method == Method.POST && path.equals(settings.path()) && !req.headers().contains(Replies.SESSION_ID))
                || (settings.legacySse() && method == Method.GET && path.equals(settings.ssePath()))
                || (method != Method.OPTIONS && isRest(req));
    }

    private boolean isRest(ServerRequest req) {
        return restPath != null && req.path().path().startsWith(restPath + "/");
    }

    /** Sessions open on this listener (Streamable HTTP and legacy SSE). */
    public int sessionCount() {
        return sessions.size();
    }

    /** Held-open SSE responses of Streamable HTTP ({@code http}) and legacy ({@code sse}) sessions; WebSockets. */
    @Override
    public Map<String, Integer> connectionCounts() {
        return Map.of("http", sessions.openStreams(false), "sse", sessions.openStreams(true),
                "websocket", websockets.size());
    }

    /**
     * Shutdown begins: new sessions, stateless requests and WebSocket upgrades are refused (503 / 403), while
     * the existing sessions go on and {@code /health}, {@code /ready} (now 503) and {@code /metrics} answer.
     */
    @Override
    public void stopAccepting() {
        draining = true;
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
        draining = true;
        // WebSocket clients get a close frame (1001), SSE streams their last events and a proper end
        websockets.closeAll("server stopping", CLOSE_WAIT);
        sessions.finishStreams(CLOSE_WAIT);
        // streams first: their handler threads return, so that stopping the server does not wait on them
        sessions.close();
        WebServer s = server;
        if (s != null) {
            s.stop();
        }
        HeaderDeadline d = headerDeadline;
        if (d != null) {
            d.close();
        }
    }
}
