package io.mcpserver.server.config;

import io.helidon.config.Config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.mcpserver.server.config.ConfigKey.Type.BOOLEAN;
import static io.mcpserver.server.config.ConfigKey.Type.CHOICE;
import static io.mcpserver.server.config.ConfigKey.Type.DURATION;
import static io.mcpserver.server.config.ConfigKey.Type.INTEGER;
import static io.mcpserver.server.config.ConfigKey.Type.LIST;
import static io.mcpserver.server.config.ConfigKey.Type.MAP;
import static io.mcpserver.server.config.ConfigKey.Type.PATH;
import static io.mcpserver.server.config.ConfigKey.Type.PORT;
import static io.mcpserver.server.config.ConfigKey.Type.RULES;
import static io.mcpserver.server.config.ConfigKey.Type.SIZE;
import static io.mcpserver.server.config.ConfigKey.Type.STRING;
import static io.mcpserver.server.config.ConfigKey.key;

/**
 * Every key of the server's configuration, declared once: name, type, default, the reference's one line,
 * and whether it is secret. {@link ConfigReader} refuses to read a key that is not here and takes its default
 * from here; {@link #unknownKeys} refuses a configuration that sets a key that is not here; tests hold
 * {@code conf/mcp-server.yaml} and {@code docs/configuration.md} to these names and defaults.
 *
 * <p>Besides these, {@code plugins.<name>} is a plugin's own section (checked against the keys the plugin
 * declares when it loads) and {@code transports.<name>} configures a transport contributed by a plugin.
 */
public final class ConfigKeys {

    /** Children a rule of {@code security.rules.*} may have. */
    private static final Set<String> RULE_FIELDS = Set.of("match", "scopes", "roles");

    private static final List<ConfigKey> ALL = List.of(

            // server
            key("server.name", STRING, "mcp-server", null,
                    "name reported to clients in `serverInfo`"),
            key("server.instructions", STRING, null, "none",
                    "text sent in the `initialize` result to explain how to use this server"),
            key("server.host", STRING, "127.0.0.1", null,
                    "address every network transport binds to unless its own section says otherwise; loopback by default"),
            key("server.shutdown-grace", DURATION, "10s", null,
                    "on SIGTERM/SIGINT (or end of stdin), how long running requests may finish before they are cancelled"),
            key("server.carrier-threads", INTEGER, "0", "(4 × processors)",
                    "platform threads that run the server's virtual threads (`jdk.virtualThreadScheduler.parallelism`, which wins when set with `-D`); more than the processors, so that the operating system shares the cores among them: a virtual thread keeps its carrier for as long as it computes, and two computing on a large message held a 2-processor server's two carriers for up to 0.5 s; `0`: 4 × processors").range(0, 32_768),

            // logging
            key("logging.format", CHOICE, "text", null,
                    "`text`: one readable line per record; `json`: one JSON object per line (`time`, `level`, `logger`, `thread`, `message`, `error`). Levels and handlers come from `conf/logging.properties`").oneOf("text", "json"),

            // protocol
            key("protocol.page-size", INTEGER, "100", null,
                    "items per page of `tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`").range(1, 10_000),
            key("protocol.log-level", CHOICE, "info", null,
                    "least severe tool log message sent to a client that never called `logging/setLevel` (`debug` … `emergency`)").oneOf("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"),
            key("protocol.client-request-timeout", DURATION, "60s", null,
                    "how long a server→client request (sampling, elicitation, roots) waits for the answer"),
            key("protocol.tool-timeout", DURATION, "5m", null,
                    "how long a tool call may run before it is cancelled and answered with an `isError` result"),
            key("protocol.tool-timeouts", MAP, null, "none",
                    "per-tool overrides of `tool-timeout`, by tool name (`slow_report: 30m`); write a `.` in a name as `~1`"),
            key("protocol.cache.list-ttl", DURATION, "1m", null,
                    "stateless era (2026-07-28): `ttlMs` hint on discovery and list results"),
            key("protocol.cache.read-ttl", DURATION, "0s", null,
                    "stateless era: `ttlMs` hint on `resources/read` (`0s`: immediately stale)"),
            key("protocol.cache.scope", CHOICE, "private", null,
                    "stateless era: `cacheScope` of lists and reads, `private` or `public`").oneOf("private", "public"),
            key("protocol.request-state-key", STRING, null, "random per process",
                    "base64 HMAC key (≥ 32 bytes) sealing the `requestState` of multi round-trip requests; instances behind one load balancer must share it. Secret").asSecret(),
            key("protocol.tasks.ttl", DURATION, "1h", null,
                    "how long a task and its result are kept after it was created; a task still running then is cancelled"),
            key("protocol.tasks.poll-interval", DURATION, "500ms", null,
                    "polling interval suggested to clients (`pollIntervalMs`)"),
            key("protocol.tasks.max-running", INTEGER, "1000", null,
                    "tasks one process runs at once; beyond that a call is refused with -32000").range(1, Integer.MAX_VALUE),
            key("protocol.request-state-ttl", DURATION, "10m", null,
                    "how long a client may take to answer such a request and retry"),

            // limits
            key("limits.max-message-size", SIZE, "4MiB", null,
                    "largest JSON-RPC message on any transport that does not set its own"),
            key("limits.max-in-flight-per-session", INTEGER, "64", null,
                    "requests one session may have running at once; more get error -32000").range(1, 100_000),
            key("limits.max-sessions-per-principal", INTEGER, "100", null, "with security on: sessions one subject may have open at once over all transports (TCP and WebSocket connections, HTTP and SSE sessions); one more gets -32000 (HTTP and upgrades: 429)").range(1, 1_000_000),
            key("limits.max-subscriptions-per-session", INTEGER, "1000", null, "resources one session may be subscribed to (`resources/subscribe`); one more gets error -32000 until it unsubscribes").range(1, 1_000_000),
            key("limits.max-uri-length", INTEGER, "8192", null, "longest URI `resources/subscribe` accepts (characters); a longer one gets -32602").range(16, 1 << 20),
            key("limits.rate.per-principal", INTEGER, "0", "(off)",
                    "requests per second per principal (the token's subject; with security off each connection or HTTP session)").range(0, 1_000_000),
            key("limits.rate.per-principal-burst", INTEGER, null, "2 × `per-principal`",
                    "requests a principal may make at once before the rate applies").range(0, 10_000_000),
            key("limits.rate.global", INTEGER, "0", "(off)",
                    "requests per second for all clients together").range(0, 10_000_000),
            key("limits.rate.global-burst", INTEGER, null, "2 × `global`",
                    "burst of the global bucket").range(0, 100_000_000),
            key("limits.rate.paced-bytes-per-second", SIZE, "1MiB", null,
                    "while a principal is paced after a refusal of its `per-principal` rate or its byte budget, its connections together are read at most this many bytes a second as well as at its rate: a message of n bytes holds its next read back n / this (TCP lines, WebSocket messages and Streamable HTTP bodies; at most 5 s per message); principals never refused are not affected"),
            key("limits.rate.per-principal-bytes-per-second", SIZE, "0", "(off)",
                    "bytes a second one principal's messages may total over all its connections (TCP lines, WebSocket messages, Streamable HTTP and legacy SSE `POST /message` bodies), after `per-principal-bytes-burst`; a message beyond it is refused with -32000 (HTTP 429) before it is parsed and the principal is paced from then on (`paced-bytes-per-second`); counted per node; `0` turns it off (the default, like the request rates: one client echoing 64 KiB messages back to back reads hundreds of MB a second here); a team server might set `8MiB`"),
            key("limits.rate.per-principal-bytes-burst", SIZE, "64MiB", null,
                    "bytes a principal may send at once before that rate applies (a message larger than this passes when the budget is full)"),
            key("limits.rate.auth-failures-per-address", INTEGER, "10", null, "refused authentications per second one remote address may cause; beyond that (and `auth-failures-burst`) its bad credentials get HTTP 429 with `Retry-After` (TCP: -32000, `data.reason: rate_limited`) and only one audit line per minute; valid tokens from that address still pass; `0` turns it off").range(0, 1_000_000),
            key("limits.rate.auth-failures-burst", INTEGER, "100", null, "refusals an address may cause at once before that rate applies").range(1, 10_000_000),

            // sessions (recovery on WebSocket and TCP)
            key("sessions.resume-window", DURATION, "2m", null,
                    "how long a WebSocket or TCP session that opted in to recovery (`io.mcpserver/resume`) waits after its connection ends for the client to resume it; its calls keep running meanwhile; `0s` turns recovery off"),
            key("sessions.replay-buffer", INTEGER, "1000", null,
                    "messages kept per resumable session for replay (the unacknowledged ones, or the latest); a resume from before the oldest is told how many were lost").range(1, 1_000_000),

            // transports.stdio
            key("transports.stdio.enabled", BOOLEAN, "false", null,
                    "serve MCP on stdin/stdout; `--stdio` turns it on (and each network transport off unless its port, `--tcp-port` or `--http-port`, is given too)"),
            key("transports.stdio.subject", STRING, null, "the OS user name",
                    "identity of the local client (it started this process, so it is trusted)"),
            key("transports.stdio.scopes", LIST, null, "every scope the rules name",
                    "its scopes for `security.rules`"),
            key("transports.stdio.roles", LIST, null, "every role the rules name",
                    "its roles for `security.rules`"),
            key("transports.stdio.max-message-size", SIZE, null, "`limits.max-message-size`",
                    "largest line"),

            // transports.tcp
            key("transports.tcp.enabled", BOOLEAN, "true", null,
                    "newline-delimited JSON-RPC over TCP, one session per connection"),
            key("transports.tcp.host", STRING, null, "`server.host`",
                    "bind address"),
            key("transports.tcp.port", PORT, "9000", null,
                    "`0` picks a free port (the ready line shows it)"),
            key("transports.tcp.max-message-size", SIZE, null, "`limits.max-message-size`",
                    "largest line; a longer one is skipped and answered with -32600"),
            key("transports.tcp.max-connections", INTEGER, "10000", null,
                    "connections open at once; one more gets one -32000 error line and is closed").range(1, 1_000_000),
            key("transports.tcp.half-close-timeout", DURATION, "60s", null,
                    "a client that shut down its sending side still gets its answers for this long"),
            key("transports.tcp.auth-timeout", DURATION, "10s", null, "with security on, a connection that has not sent its authenticating first message by then gets -32001 (`data.reason: timeout`, audited) and is closed, freeing its slot"),
            key("transports.tcp.write-timeout", DURATION, "30s", null,
                    "a connection one of whose writes has not completed for this long (a client that stopped reading while answers were due) is dropped, with one log line, ending its session and its running requests; `0s` never"),
            key("transports.tcp.tls.enabled", BOOLEAN, "false", null,
                    "TLS on this listener"),
            key("transports.tcp.tls.certificate", PATH, null, "none",
                    "PEM certificate chain (with `private-key`)"),
            key("transports.tcp.tls.private-key", PATH, null, "none",
                    "PEM unencrypted PKCS#8 private key"),
            key("transports.tcp.tls.keystore", PATH, null, "none",
                    "PKCS#12 or JKS keystore holding both, instead of the PEM files"),
            key("transports.tcp.tls.keystore-password", STRING, null, "none",
                    "its password. Secret").asSecret(),
            key("transports.tcp.tls.client-auth", CHOICE, "none", null,
                    "ask clients for a certificate: `none`, `optional`, `required`").oneOf("none", "optional", "required"),
            key("transports.tcp.tls.client-ca", PATH, null, "none",
                    "PEM of the CAs a client certificate must chain to (needed unless `client-auth: none`)"),

            // transports.http
            key("transports.http.enabled", BOOLEAN, "true", null,
                    "the HTTP listener: Streamable HTTP, legacy HTTP+SSE, WebSocket, and the observe endpoints"),
            key("transports.http.host", STRING, null, "`server.host`",
                    "bind address"),
            key("transports.http.port", PORT, "9001", null,
                    "`0` picks a free port"),
            key("transports.http.path", STRING, "/mcp", null,
                    "the Streamable HTTP endpoint (POST a message, GET the session's stream, DELETE the session)"),
            key("transports.http.max-message-size", SIZE, null, "`limits.max-message-size`",
                    "largest POSTed message; more is answered 413"),
            key("transports.http.legacy-sse", BOOLEAN, "true", null,
                    "also serve the deprecated HTTP+SSE transport (2024-11-05)"),
            key("transports.http.sse-path", STRING, "/sse", null,
                    "legacy: GET opens a session and its stream"),
            key("transports.http.message-path", STRING, "/message", null,
                    "legacy: where the client POSTs (`?sessionId=…`)"),
            key("transports.http.allowed-origins", LIST, "[]", null,
                    "browser origins allowed besides loopback ones (DNS-rebinding protection; `*` allows any); others get 403"),
            key("transports.http.allowed-hosts", LIST, "[]", null,
                    "`Host` names accepted besides loopback ones when bound to loopback"),
            key("transports.http.session-idle-timeout", DURATION, "30m", null,
                    "a session with no request, no open stream and nothing running ends after this"),
            key("transports.http.max-sessions", INTEGER, "10000", null,
                    "sessions open at once; one more `initialize` is answered 503").range(1, 1_000_000),
            key("transports.http.sse-replay-buffer", INTEGER, "256", null,
                    "events kept per stream for clients resuming with `Last-Event-ID`").range(1, 100_000),
            key("transports.http.sse-retry", DURATION, "1s", null,
                    "the `retry:` delay sent on every stream"),
            key("transports.http.sse-keep-alive", DURATION, "15s", null,
                    "comment line on idle streams, so that gone clients are noticed; `0` never"),
            key("transports.http.sse-close-after", DURATION, "0s", null,
                    "close a POST's stream after this long without its response (the client resumes with GET); `0` never"),
            key("transports.http.header-timeout", DURATION, "10s", null, "a request whose headers are not complete this long after its request line is dropped (slowloris); Helidon itself drops a connection that sends no request line for 5 minutes"),
            key("transports.http.compression.enabled", BOOLEAN, "true", null,
                    "gzip (else deflate) for JSON and SSE responses when the client's `Accept-Encoding` asks; request bodies with `Content-Encoding: gzip` or `deflate` are accepted either way, `max-message-size` applying to the decompressed size"),
            key("transports.http.compression.min-size", SIZE, "1KiB", null,
                    "smallest JSON body that is compressed; smaller ones are sent as they are"),
            key("transports.http.compression.event-streams", BOOLEAN, "true", null,
                    "compress the SSE stream answering a POST too (each event still flushed on its own; the stream ends with its call); costs about 260 KB of native memory per compressed stream while it is open"),
            key("transports.http.compression.get-streams", BOOLEAN, "false", null,
                    "compress the SSE streams a GET opens too (the session's `GET /mcp` stream, legacy `/sse`, the REST facade's): they stay open, mostly idle, as long as the client, each holding about 260 KB of native memory"),
            key("transports.http.websocket.enabled", BOOLEAN, "true", null,
                    "MCP over WebSocket on this listener (subprotocol `mcp` or `mcp-v1` echoed when offered)"),
            key("transports.http.websocket.paths", LIST, "[/ws, /]", null,
                    "upgrade paths"),
            key("transports.http.websocket.max-message-size", SIZE, null, "`transports.http.max-message-size`",
                    "largest message after joining fragments; more is closed with 1009"),
            key("transports.http.websocket.ping-interval", DURATION, "30s", null,
                    "the server pings each connection this often; `0` never"),
            key("transports.http.websocket.pong-timeout", DURATION, "10s", null,
                    "a connection silent for this long after a ping is closed (1001)"),
            key("transports.http.websocket.max-connections", INTEGER, "10000", null, "WebSocket connections open at once; one more upgrade gets 503 with `Retry-After`").range(1, 1_000_000),
            key("transports.http.websocket.write-timeout", DURATION, "30s", null,
                    "a connection one of whose writes has not completed for this long (a client that stopped reading) is dropped, with one log line; `0` never"),
            key("transports.http.websocket.max-in-flight-per-principal", INTEGER, "0", null,
                    "a connection whose principal (the subject, with security on and a per-principal limit set: `limits.rate.per-principal` or `per-principal-bytes-per-second`; else its session) has this many requests running over all its sessions is not read from until one ends, at most a second at a time; `0` no bound").range(0, 1_000_000),
            key("transports.http.tls.enabled", BOOLEAN, "false", null,
                    "HTTPS and WSS on this listener"),
            key("transports.http.tls.certificate", PATH, null, "none",
                    "as for TCP"),
            key("transports.http.tls.private-key", PATH, null, "none",
                    "as for TCP"),
            key("transports.http.tls.keystore", PATH, null, "none",
                    "as for TCP"),
            key("transports.http.tls.keystore-password", STRING, null, "none",
                    "as for TCP. Secret").asSecret(),
            key("transports.http.tls.client-auth", CHOICE, "none", null,
                    "as for TCP; a bearer token is still required when security is on").oneOf("none", "optional", "required"),
            key("transports.http.tls.client-ca", PATH, null, "none",
                    "as for TCP"),

            // security
            key("security.enabled", BOOLEAN, "false", null,
                    "the one switch: bearer tokens on every network transport, the rules below, the audit trail"),
            key("security.resource", STRING, null, "derived from each request",
                    "this server's canonical URI (RFC 8707/9728): default audience, `resource` of the metadata, where 401s point"),
            key("security.authorization-servers", LIST, null, "`[security.jwt.issuer]`",
                    "listed in `/.well-known/oauth-protected-resource`"),
            key("security.scopes-supported", LIST, null, "every scope the rules name",
                    "listed there as `scopes_supported`"),
            key("security.jwt.jwks-file", PATH, null, "none (this or `jwks-url` is required)",
                    "the issuer's public keys, re-read when the file changes"),
            key("security.jwt.jwks-url", STRING, null, "none",
                    "the issuer's JWKS URL"),
            key("security.jwt.jwks-refresh", DURATION, "10m", null,
                    "how often the keys are re-read (an unknown `kid` re-reads at once, at most every 30 s)"),
            key("security.jwt.issuer", STRING, null, "none (required)",
                    "the exact `iss` of every token"),
            key("security.jwt.audience", LIST, null, "`[security.resource]`",
                    "accepted `aud` values"),
            key("security.jwt.clock-skew", DURATION, "30s", null,
                    "tolerance on `exp`, `nbf`, `iat` (at most 5m)"),
            key("security.jwt.roles-claim", STRING, "roles", null,
                    "claim holding the roles; dots reach into objects (`realm_access.roles`)"),
            key("security.default-policy", CHOICE, "allow", null,
                    "for names no rule matches: `allow` (any authenticated caller) or `deny`").oneOf("allow", "deny"),
            key("security.client-certificates", MAP, null, "none",
                    "grants for TCP clients authenticated by a TLS client certificate: `<CN>: {scopes: […], roles: […]}`"),
            key("security.scope-implies", MAP, null, "none",
                    "scope hierarchy: `\"files:write\": [files:read]`"),
            key("security.api-keys", MAP, null, "none",
                    "API keys by name: `<name>: {hash: \"sha256:…\", subject, scopes: […], roles: […], expires}` (subject defaults to the name; `mcp-server --new-api-key` prints a key and its hash); sent as `Authorization: ApiKey <key>` or `X-API-Key`; with keys set, `security.jwt` is optional"),
            key("security.api-keys-file", PATH, null, "none",
                    "a YAML file with an `api-keys:` map of the same shape, re-read when it changes (a broken edit keeps the previous keys)"),
            key("security.rules.tools", RULES, "[]", null,
                    "rules for tools, in order: `match` (glob `*`, `?`), `scopes` (all required), `roles` (one required)"),
            key("security.rules.resources", RULES, "[]", null,
                    "the same for resource URIs and URI templates"),
            key("security.rules.prompts", RULES, "[]", null,
                    "the same for prompt names"),

            // audit
            key("audit.enabled", BOOLEAN, null, "same as `security.enabled`",
                    "one JSON line per `tools/call`, `resources/read`, `prompts/get` (in `audit.file`) and per refused authentication (in `audit.refusals-file`)"),
            key("audit.file", PATH, "logs/audit.log", null,
                    "where; relative to the install home"),
            key("audit.refusals-file", PATH, null, "`audit-refusals.log` beside `audit.file`", "refused authentications, in a file of their own so that unauthenticated traffic cannot rotate the records of calls away; must differ from `audit.file`"),
            key("audit.on-failure", CHOICE, "refuse", null, "while the audit file cannot be written: `refuse` audited calls (-32603) or `continue` serving (records are dropped and counted); either way `/health` is 503").oneOf("refuse", "continue"),
            key("audit.max-file-size", SIZE, "10MiB", null,
                    "rotate once the file would grow past this"),
            key("audit.max-files", INTEGER, "5", null,
                    "rotated files kept (`audit.log.1` … `audit.log.5`)").range(1, 1000),
            key("audit.log-arguments", BOOLEAN, "false", null,
                    "also write argument values (they may hold personal data or secrets); their size is always written"),

            // rest
            key("rest.enabled", BOOLEAN, "true", null,
                    "the REST facade on the HTTP listener: plain JSON routes under `rest.path` and the OpenAPI document at `/openapi.json` and `/openapi.yaml`, with the same checks as every transport"),
            key("rest.path", STRING, "/mcp/v1", null,
                    "where the REST routes live (`POST <path>/tools/call`, `POST <path>/tools/{name}`, …)"),
            key("rest.docs", BOOLEAN, "true", null,
                    "also serve `GET /docs`: Swagger UI over `/openapi.json`, from the server's own JARs (no CDN)"),

            // observe
            key("observe.enabled", BOOLEAN, "true", null,
                    "serve the operations endpoints on the HTTP listener (none when `transports.http.enabled` is false). They are outside every MCP check: no Origin/Host rule, no bearer token"),
            key("observe.health-path", STRING, "/health", null,
                    "liveness: 200 `{\"status\":\"UP\",…}` while the process answers"),
            key("observe.ready-path", STRING, "/ready", null,
                    "readiness: 200 once every listener is bound and the plugins are loaded; 503 from the moment a shutdown begins"),
            key("observe.metrics", BOOLEAN, "true", null,
                    "also serve the meters"),
            key("observe.metrics-path", STRING, "/metrics", null,
                    "Prometheus text format (OpenMetrics or JSON when the `Accept` header asks)"),

            // admin
            key("admin.enabled", BOOLEAN, "true", null,
                    "serve the admin API (`/admin/connections`, `/admin/plugins`) and the console (`/console`) on the HTTP listener: with security off only to loopback clients, with security on only to tokens with `admin.scope` or `admin.role`"),
            key("admin.scope", STRING, "mcp:admin", null,
                    "with security on, a token with this scope may use the admin API and the console"),
            key("admin.role", STRING, "admin", null,
                    "with security on, a token with this role may use them too"),

            // tracing
            key("tracing.enabled", BOOLEAN, "false", null,
                    "a span per request on every transport (OpenTelemetry, MCP semantic conventions), exported over OTLP; off: no tracing code is loaded"),
            key("tracing.otlp.endpoint", STRING, "http://127.0.0.1:4318/v1/traces", null,
                    "where spans are sent: an OTLP/HTTP (protobuf) traces endpoint, e.g. an OpenTelemetry Collector's"),
            key("tracing.sampling-ratio", STRING, "1.0", null,
                    "share of new traces recorded, 0.0 to 1.0; a request whose parent (`traceparent`) was sampled is always recorded"),

            // cluster
            key("cluster.enabled", BOOLEAN, "false", null,
                    "run as one node of a cluster sharing state in Redis (docs/scale-out.md); off: nothing is shared and nothing is paid for it"),
            key("cluster.redis.url", STRING, "redis://127.0.0.1:6379", null,
                    "the Redis every node uses: `redis://[[user:]password@]host[:port][/db]`, or `rediss://` for TLS. Secret").asSecret(),
            key("cluster.node-id", STRING, null, "host name + `-` + process id",
                    "this node's name in the cluster (logs, `/ready`); unique per node"),
            key("cluster.rate-limit-fallback", CHOICE, "local", null,
                    "while Redis cannot be reached, rate limits (`limits.rate.*`) apply per node (`local`), or every request a limit applies to is refused with -32603, HTTP 503 (`refuse`)").oneOf("local", "refuse"),

            // plugins
            key("plugins.dir", PATH, "plugins", null,
                    "where plugin JARs (and directories of JARs) are loaded from"),
            key("plugins.data-dir", PATH, "data", null,
                    "where plugins keep their data, one subdirectory each"),
            key("plugins.watch", BOOLEAN, "false", null,
                    "load, replace and unload plugins as JARs are added, replaced or removed while running"),
            key("plugins.watch-debounce", DURATION, "1s", null,
                    "how long a changed JAR must stay unchanged before it is (re)loaded")

    );

    private static final Map<String, ConfigKey> BY_NAME = index(ALL);
    /** Sections that hold declared keys ({@code transports}, {@code transports.tcp.tls}, …). */
    private static final Set<String> SECTIONS = sections(ALL);
    private static final Set<String> TOP_LEVEL = topLevel(ALL);
    /** Built-in transports; any other {@code transports.<name>} belongs to a plugin's transport. */
    private static final Set<String> BUILT_IN_TRANSPORTS = Set.of("stdio", "tcp", "http");

    private ConfigKeys() {
    }

    public static List<ConfigKey> all() {
        return ALL;
    }

    /** Whether {@code name} is a top-level key or section of this server ({@code security}, {@code transports}, …). */
    public static boolean isTopLevel(String name) {
        return TOP_LEVEL.contains(name);
    }

    /** The top-level keys and sections, sorted. */
    public static Set<String> topLevelNames() {
        return TOP_LEVEL;
    }

    public static Optional<ConfigKey> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The declaration of a key the server reads; a key read but not declared is a bug, found by any test. */
    static ConfigKey declared(String name) {
        ConfigKey key = BY_NAME.get(name);
        if (key != null) {
            return key;
        }
        // the children of a map or rule list are named by the user: a rule's "match", a tool's timeout
        for (int dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
            ConfigKey parent = BY_NAME.get(name.substring(0, dot));
            if (parent != null && parent.isContainer()) {
                return ConfigKey.key(name, STRING, null, "none", "part of " + parent.name());
            }
        }
        throw new IllegalStateException("configuration key '" + name + "' is read but not declared in ConfigKeys");
    }

    /**
     * Every key set in {@code root} (by the file, an environment variable or a flag) that is not declared,
     * each with a suggestion when a declared key is close: {@code security.enable: unknown key; did you mean
     * security.enabled?}. Plugin sections and plugin transports' sections are left to their plugins.
     */
    public static List<String> unknownKeys(Config root) {
        List<String> problems = new ArrayList<>();
        check(root, problems);
        return problems;
    }

    private static void check(Config node, List<String> problems) {
        for (Config child : children(node, problems)) {
            String name = child.key().toString();
            ConfigKey key = BY_NAME.get(name);
            if (key != null) {
                if (key.type() == RULES) {
                    checkRules(child, problems);
                }
            } else if (SECTIONS.contains(name)) {
                check(child, problems);
            } else if (isPluginSection(child) || isPluginTransport(child)) {
                continue; // the plugin declares these keys
            } else {
                problems.add(name + ": unknown key" + suggestion(name).map(s -> "; did you mean " + s + "?").orElse(""));
            }
        }
    }

    /**
     * The keys under a section or the items of a list; a plain value where those belong is a problem (asNodeList
     * would throw Helidon's mapping exception instead: ConfigFuzzTest found {@code server: <text>}).
     */
    private static List<Config> children(Config node, List<String> problems) {
        if (node.type() == Config.Type.VALUE) {
            problems.add(node.key() + ": expected keys or a list under it, found a plain value");
            return List.of();
        }
        return node.asNodeList().orElse(List.of());
    }

    private static void checkRules(Config rules, List<String> problems) {
        for (Config rule : children(rules, problems)) {
            for (Config field : children(rule, problems)) {
                if (!RULE_FIELDS.contains(field.name())) {
                    problems.add(field.key() + ": unknown key; a rule has " + new TreeSet<>(RULE_FIELDS));
                }
            }
        }
    }

    /** {@code plugins.<name>}: a section (or nothing at all), never a single value. */
    private static boolean isPluginSection(Config node) {
        return node.key().parent().toString().equals("plugins") && isSectionOrEmpty(node);
    }

    private static boolean isPluginTransport(Config node) {
        return node.key().parent().toString().equals("transports") && !BUILT_IN_TRANSPORTS.contains(node.name())
                && isSectionOrEmpty(node);
    }

    private static boolean isSectionOrEmpty(Config node) {
        return node.type() == Config.Type.OBJECT
                || (node.type() == Config.Type.VALUE && node.asString().orElse("").isEmpty());
    }

    /** The declared key (or section) closest to {@code name}, if it is close enough to be a typo of it. */
    static Optional<String> suggestion(String name) {
        return closest(name, concat(BY_NAME.keySet(), SECTIONS));
    }

    /** The candidate closest to {@code name} by edit distance, when within a typo's reach. */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int reach = Math.max(2, name.length() / 5);
        return bestDistance <= reach ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Collection<String> concat(Collection<String> a, Collection<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Map<String, ConfigKey> index(List<ConfigKey> keys) {
        Map<String, ConfigKey> map = new LinkedHashMap<>();
        for (ConfigKey key : keys) {
            if (map.put(key.name(), key) != null) {
                throw new IllegalStateException("configuration key declared twice: " + key.name());
            }
        }
        return Map.copyOf(map);
    }

    private static Set<String> topLevel(List<ConfigKey> keys) {
        Set<String> names = new TreeSet<>(Set.of("plugins", "transports"));
        keys.forEach(key -> names.add(key.name().split("\\.", 2)[0]));
        return Collections.unmodifiableSet(names);
    }

    private static Set<String> sections(List<ConfigKey> keys) {
        Set<String> sections = new TreeSet<>();
        for (ConfigKey key : keys) {
            for (int dot = key.name().indexOf('.'); dot > 0; dot = key.name().indexOf('.', dot + 1)) {
                sections.add(key.name().substring(0, dot));
            }
        }
        sections.add("plugins");
        sections.add("transports");
        return Set.copyOf(sections);
    }
}
