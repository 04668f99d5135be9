package io.mcpserver.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.config.GlobalConfig;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.MetricsFactory;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.resume.ResumeEvents;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * The server's meters, in Helidon's metrics registry (served at {@code /metrics} in Prometheus format):
 * <ul>
 *   <li>{@code mcp_requests_total{transport,method,outcome}}: every JSON-RPC request; outcome is {@code ok},
 *       {@code error} (a JSON-RPC error was sent) or {@code cancelled} (nothing was sent)</li>
 *   <li>{@code mcp_request_duration_seconds{transport,method}}: a latency histogram per method</li>
 *   <li>{@code mcp_tool_calls_total{transport,tool,outcome}}: {@code tools/call} by tool; outcome adds
 *       {@code tool_error} (an {@code isError} result)</li>
 *   <li>{@code mcp_rate_limited_total{transport}}: requests refused by the rate limits</li>
 *   <li>{@code mcp_audit_healthy}, {@code mcp_audit_records_dropped_total}: the audit trail's state</li>
 *   <li>{@code mcp_plugin_load_failures_total}: plugins skipped at startup or on reload</li>
 *   <li>{@code mcp_connections{transport}}, {@code mcp_sessions{transport}}: open now</li>
 * </ul>
 * Requests are counted in one place, the dispatcher's {@link RequestHook} ({@link #observe}), so every transport
 * is counted alike. Client-chosen names never become labels unchecked: an unknown method is {@code other}, an
 * unknown tool {@code other}.
 */
public final class ServerMetrics implements AutoCloseable {

    /** Label value for a method or tool name that is not one the server knows. */
    static final String OTHER = "other";
    /** Histogram buckets of request latency: tool calls range from a millisecond to minutes. */
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5)};

    /**
     * Helidon's metrics, and Helidon's global configuration, are this empty configuration: left to itself, Helidon
     * assembles its global one from its default sources (system properties, environment variables,
     * {@code application.yaml} in the working directory, meta-configuration) just for the defaults of its metrics and
     * of the metrics endpoint, a twelfth of a start (issue 14). This server is configured by its own file alone
     * (Helidon's components are built from it in code), so the settings are Helidon's defaults either way.
     */
    private static final io.helidon.common.config.Config HELIDON_DEFAULTS = io.helidon.common.config.Config.empty();
    /** One instance for the process: asking Helidon for its registry with an unequal config would replace it. */
    private static final MetricsConfig METRICS_CONFIG = MetricsConfig.builder().config(HELIDON_DEFAULTS).build();
    /** Made once per process, from {@link #HELIDON_DEFAULTS}; Helidon's {@code MetricsFactory.getInstance()} then returns it. */
    private static MetricsFactory factory;

    @SuppressWarnings("removal")
    private static synchronized MeterRegistry globalRegistry() {
        if (factory == null) {
            // The first of Helidon's components to start: its global configuration is made the same empty one, or
            // the next component to ask (the metrics endpoint's builder) would have it assembled from the default
            // sources after all. Helidon's replacement (Services.set) is not what GlobalConfig.config() reads in 4.2.3.
            if (!GlobalConfig.configured()) {
                GlobalConfig.config(() -> HELIDON_DEFAULTS);
            }
            factory = MetricsFactory.getInstance(HELIDON_DEFAULTS);
        }
        return factory.globalRegistry(METRICS_CONFIG);
    }

    private final MeterRegistry registry;
    private final Predicate<String> knownMethod;
    private final Predicate<String> knownTool;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, MethodMeters>> methods = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Map<String, Counter>>> tools = new ConcurrentHashMap<>();
    private final RecentActivity recent = new RecentActivity();
    private volatile boolean closed;

    /**
     * @param knownMethod whether a name is a method the dispatcher routes (only those become label values)
     * @param knownTool   whether a name is a registered tool (likewise)
     */
    public ServerMetrics(Predicate<String> knownMethod, Predicate<String> knownTool) {
        this.knownMethod = knownMethod;
        awaitPrepared();
        // Helidon's registry is process-wide; this server's meters are removed again by close()
        this.registry = globalRegistry();
        this.knownTool = knownTool;
        pluginLoadFailures(); // shown as 0 from the start
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Helidon's registry being made by {@link #prepareRegistry()}, until a ServerMetrics has waited for it. */
    private static final AtomicReference<FutureTask<MeterRegistry>> PREPARING = new AtomicReference<>();

    /**
     * Starts making Helidon's process-wide registry on a thread of its own (its meters providers, the JVM meters and
     * the Prometheus registry: a sixth of a start, issue 14) while the caller goes on reading the configuration.
     * The next ServerMetrics waits for it rather than making it again: Helidon's {@code globalRegistry} must not run
     * twice at once (two calls would each make a registry). A platform thread: class initialisation on a virtual
     * thread pins its carrier, and waiting for another thread's pins it too.
     */
    public static void prepareRegistry() {
        FutureTask<MeterRegistry> task = new FutureTask<>(ServerMetrics::globalRegistry);
        if (PREPARING.compareAndSet(null, task)) {
            Thread.ofPlatform().name("mcp-metrics-init").daemon().start(task);
        }
    }

    private static void awaitPrepared() {
        FutureTask<MeterRegistry> task = PREPARING.getAndSet(null);
        if (task == null) {
            return;
        }
        try {
            task.get();
        } catch (ExecutionException e) {
            // made again by the caller, whose failure it then is to throw
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    MetricsConfig metricsConfig() {
        return METRICS_CONFIG;
    }

    /** Wraps the dispatcher's hook: counts rate-limit refusals at {@code admit}, records every completion. */
    public RequestHook observe(RequestHook delegate) {
        return new RequestHook() {
            @Override
            public void admit(Session session, String method, JsonNode params) {
                try {
                    delegate.admit(session, method, params);
                } catch (McpException e) {
                    if (e.code() == ErrorCodes.LIMIT_EXCEEDED && !closed) { // the hook's refusals are the rate limits
                        counter("mcp.rate.limited", "Requests refused by the rate limits (limits.rate)",
                                "transport", session.transport()).increment();
                    }
                    throw e;
                }
            }

            @Override
            public void completed(Completion completion) {
                try {
                    delegate.completed(completion);
                } finally {
                    record(completion);
                }
            }

            @Override
            public Object principal(Session session) {
                return delegate.principal(session);
            }

            @Override
            public long refusedForNanos(Session session) {
                return delegate.refusedForNanos(session);
            }

            @Override
            public long tokenIntervalNanos(Session session) {
                return delegate.tokenIntervalNanos(session);
            }

            @Override
            public long pacedBytesPerSecond(Session session) {
                return delegate.pacedBytesPerSecond(session);
            }

            @Override
            public McpException refusedUnparsed(Session session, String method, long waitNanos) {
                if (!closed) {
                    counter("mcp.rate.limited", "Requests refused by the rate limits (limits.rate)",
                            "transport", session.transport()).increment();
                }
                return delegate.refusedUnparsed(session, method, waitNanos);
            }

            @Override
            public boolean countsBytes() {
                return delegate.countsBytes();
            }

            @Override
            public McpException takeBytes(Session session, long bytes) {
                McpException refusal = delegate.takeBytes(session, bytes);
                if (refusal != null && !closed) { // the byte budget (limits.rate.per-principal-bytes-per-second)
                    counter("mcp.rate.limited", "Requests refused by the rate limits (limits.rate)",
                            "transport", session.transport()).increment();
                }
                return refusal;
            }
        };
    }

    /** The last minutes of requests, latency and errors, for the console. */
    public RecentActivity recent() {
        return recent;
    }

    void record(RequestHook.Completion c) {
        recent.record(c);
        if (closed) {
            return; // a request that ended after the server stopped: its meters are gone
        }
        String transport = c.session().transport();
        String method = knownMethod.test(c.method()) ? c.method() : OTHER;
        MethodMeters m = methodMeters(transport, method);
        int outcome = c.cancelled() ? CANCELLED : c.error() != null ? ERROR : OK;
        m.requests(outcome).increment();
        m.duration.record(c.durationNanos(), TimeUnit.NANOSECONDS);
        if ("tools/call".equals(c.method())) {
            JsonNode name = c.params() == null ? null : c.params().get("name");
            String tool = name != null && name.isTextual() && knownTool.test(name.asText()) ? name.asText() : OTHER;
            String toolOutcome = c.result() != null && c.result().path("isError").asBoolean(false) ? "tool_error"
                    : OUTCOMES[outcome];
            toolMeters(transport, tool).computeIfAbsent(toolOutcome, o -> counter("mcp.tool.calls",
                    "Tool calls by transport, tool and outcome (ok, tool_error, error, cancelled)",
                    "transport", transport, "tool", tool, "outcome", o)).increment();
        }
    }

    private static final int OK = 0;
    private static final int ERROR = 1;
    private static final int CANCELLED = 2;
    private static final String[] OUTCOMES = {"ok", "error", "cancelled"};

    /**
     * The meters of one transport and method, found with two lookups by string (whose hash is cached) per request:
     * building a list key of tag values and asking the registry for every completion showed in the request's profile.
     */
    private final class MethodMeters {
        final Timer duration;
        private final String transport;
        private final String method;
        private final Counter[] requests = new Counter[OUTCOMES.length];

        MethodMeters(String transport, String method) {
            this.transport = transport;
            this.method = method;
            this.duration = timer(transport, method);
        }

        Counter requests(int outcome) {
            Counter counter = requests[outcome];
            if (counter == null) { // a benign race: the registry hands every thread the same counter
                counter = counter("mcp.requests", "JSON-RPC requests by transport, method and outcome (ok, error, cancelled)",
                        "transport", transport, "method", method, "outcome", OUTCOMES[outcome]);
                requests[outcome] = counter;
            }
            return counter;
        }
    }

    private MethodMeters methodMeters(String transport, String method) {
        Map<String, MethodMeters> byMethod = methods.get(transport);
        if (byMethod == null) {
            byMethod = methods.computeIfAbsent(transport, t -> new ConcurrentHashMap<>());
        }
        MethodMeters m = byMethod.get(method);
        return m != null ? m : byMethod.computeIfAbsent(method, k -> new MethodMeters(transport, k));
    }

    private Map<String, Counter> toolMeters(String transport, String tool) {
        Map<String, Map<String, Counter>> byTool = tools.get(transport);
        if (byTool == null) {
            byTool = tools.computeIfAbsent(transport, t -> new ConcurrentHashMap<>());
        }
        Map<String, Counter> m = byTool.get(tool);
        return m != null ? m : byTool.computeIfAbsent(tool, k -> new ConcurrentHashMap<>());
    }

    /** {@code mcp_connections{transport}}: connections (or held-open HTTP streams) open now. */
    public void connections(String transport, IntSupplier open) {
        gauge("mcp.connections", "Client connections open now; for http and sse, the SSE responses held open",
                transport, open);
    }

    /** {@code mcp_sessions{transport}}: protocol sessions open now. */
    public void sessions(String transport, IntSupplier open) {
        gauge("mcp.sessions", "MCP sessions open now", transport, open);
    }

    /**
     * Session recovery on WebSocket and TCP: {@code mcp_sessions_waiting} (sessions whose connection ended, waiting
     * for their client), {@code mcp_session_resumes_total{outcome}} ({@code resumed}, {@code refused},
     * {@code expired}) and {@code mcp_session_replay_lost_total} (messages a resumed client was told it lost).
     */
    public ResumeEvents resumption(IntSupplier waiting) {
        meters.add(registry.getOrCreate(Gauge.builder("mcp.sessions.waiting", () -> waiting.getAsInt())
                .description("Sessions whose WebSocket or TCP connection ended, waiting for their client to resume them")));
        String resumes = "Session resumes on WebSocket and TCP, by outcome: resumed, refused (a bad, used, expired or "
                + "foreign token), expired (the window passed)";
        return new ResumeEvents() {
            @Override
            public void resumed(long replayed, long lost) {
                if (!closed) {
                    counter("mcp.session.resumes", resumes, "outcome", "resumed").increment();
                    counter("mcp.session.replay.lost", "Messages resumed clients were told they lost (replay buffer "
                            + "overflow)").increment(lost);
                }
            }

            @Override
            public void refused() {
                if (!closed) {
                    counter("mcp.session.resumes", resumes, "outcome", "refused").increment();
                }
            }

            @Override
            public void expired() {
                if (!closed) {
                    counter("mcp.session.resumes", resumes, "outcome", "expired").increment();
                }
            }
        };
    }

    /**
     * {@code mcp_plugin_load_failures_total}: one more plugin failed to load (at startup or on reload). A counter
     * of its own: the functional counter over the loader's count that this replaces was registered after startup
     * and then kept the value it first read, so failures during reloads never showed (PluginFailuresTest).
     */
    public void pluginLoadFailed() {
        if (!closed) {
            pluginLoadFailures().increment();
        }
    }

    private Counter pluginLoadFailures() {
        return counter("mcp.plugin.load.failures", "Plugins that failed to load (at startup or on reload) and were skipped");
    }

    /**
     * {@code mcp_audit_healthy} (1 while every audit file is written) and {@code mcp_audit_records_dropped_total}; the
     * returned consumer is told of every record lost. A counter of its own, like {@link #pluginLoadFailed}: a
     * functional counter over the writers' count kept the first value it read once Helidon's registry was made
     * before the server's meters (the start-up work of issue 14), so later losses never showed (AuditFailureTest).
     */
    public java.util.function.LongConsumer audit(java.util.function.BooleanSupplier healthy) {
        meters.add(registry.getOrCreate(Gauge.builder("mcp.audit.healthy", () -> healthy.getAsBoolean() ? 1 : 0)
                .description("1 while the audit trail is written, 0 while records are being lost")));
        Counter dropped = counter("mcp.audit.records.dropped",
                "Audit records lost because the file could not be written or the writer fell behind");
        return n -> {
            if (!closed) {
                dropped.increment(n);
            }
        };
    }

    private void gauge(String name, String description, String transport, IntSupplier value) {
        meters.add(registry.getOrCreate(Gauge.builder(name, () -> value.getAsInt())
                .tags(List.of(Tag.create("transport", transport)))
                .description(description)));
    }

    private Counter counter(String name, String description, String... tags) {
        List<String> key = new ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(List.of(tags));
        return counters.computeIfAbsent(key, k -> {
            Counter counter = registry.getOrCreate(Counter.builder(name).tags(tags(tags)).description(description));
            meters.add(counter);
            return counter;
        });
    }

    private Timer timer(String transport, String method) {
        return timers.computeIfAbsent(List.of(transport, method), k -> {
            Timer timer = registry.getOrCreate(Timer.builder("mcp.request.duration")
                    .tags(tags("transport", transport, "method", method))
                    .description("Time from receiving a request to sending its response, by transport and method")
                    .buckets(BUCKETS));
            meters.add(timer);
            return timer;
        });
    }

    private static List<Tag> tags(String... keyValues) {
        List<Tag> tags = new ArrayList<>(keyValues.length / 2);
        for (int i = 0; i < keyValues.length; i += 2) {
            tags.add(Tag.create(keyValues[i], keyValues[i + 1]));
        }
        return tags;
    }

    /** Removes this server's meters, so that another server in the same process starts from zero. */
    @Override
    public void close() {
        closed = true;
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
        counters.clear();
        timers.clear();
        methods.clear();
        tools.clear();
    }
}
