package io.mcpserver.server;

import io.mcpserver.server.admin.AdminEndpoints;
import io.mcpserver.server.cluster.ClusterNodes;
import io.mcpserver.server.cluster.RedisLink;
import io.mcpserver.server.cluster.RedisRateBuckets;
import io.mcpserver.server.cluster.RedisSessionCaps;
import io.mcpserver.server.cluster.RedisSessionStore;
import io.mcpserver.server.cluster.RedisSpentStates;
import io.mcpserver.server.cluster.RedisTaskStore;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.presence.LocalPresence;
import io.mcpserver.server.presence.Presence;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.observe.ObserveEndpoints;
import io.mcpserver.server.observe.ServerMetrics;
import io.mcpserver.server.observe.tracing.OtelTracing;
import io.mcpserver.server.plugins.LoadedPlugin;
import io.mcpserver.server.plugins.PluginLoader;
import io.mcpserver.server.plugins.PluginStatus;
import io.mcpserver.server.plugins.PluginSummary;
import io.mcpserver.server.plugins.PluginWatcher;
import io.mcpserver.server.protocol.RequestTracing;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.server.security.ServerSecurity;
import io.mcpserver.server.transport.PluginTransport;
import io.mcpserver.server.transport.ServerTransport;
import io.mcpserver.server.transport.http.HttpTransport;
import io.mcpserver.server.transport.stdio.StdioTransport;
import io.mcpserver.server.transport.tcp.TcpTransport;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.transport.TransportFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;

/**
 * One server process: the protocol core, the plugins, and every enabled transport over them.
 * {@link #start()} loads plugins (while the listeners are built), then binds transports; {@link #close()} undoes both.
 */
public final class McpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(McpServer.class.getName());

    static {
        // TLS 1.2 client-initiated renegotiation only costs the server handshakes (a CPU lever for a client); the
        // JDK reads this once, when the first server handshake runs, so it is set before any listener exists.
        // An operator who needs renegotiation can still set it to false on the command line.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    private final ServerConfig config;
    private final McpCore core;
    private final ServerSecurity security;
    private final PluginLoader plugins;
    private volatile PluginCheckers pluginCheckers;
    private final ServerMetrics metrics;
    private final Presence presence;
    private final InputStream stdin;
    private final OutputStream stdout;
    private final List<ServerTransport> transports = new ArrayList<>();
    /** This node's link to the cluster's Redis; null when {@code cluster.enabled} is false (nothing is paid for it). */
    private final RedisLink cluster;
    /** This node's heartbeat in the cluster, and who else is alive; null alone. */
    private final ClusterNodes clusterNodes;
    /** limits.max-sessions-per-principal counted in Redis; null alone or with security off. */
    private volatile RedisSessionCaps sessionCaps;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile PluginWatcher watcher;
    private final RequestTracing tracing;
    private volatile boolean ready;
    /** Until the plugins found at start-up are loaded: they read the configuration {@code config} was made from. */
    private volatile boolean starting = true;
    private volatile boolean closed;

    public McpServer(ServerConfig config, InputStream stdin, OutputStream stdout) {
        this(config, stdin, stdout, config::raw);
    }

    /**
     * @param configuration the configuration as it is now, read again whenever a plugin is (re)loaded, so that a
     *                      reloaded plugin sees its section as the file says now
     */
    public McpServer(ServerConfig config, InputStream stdin, OutputStream stdout,
                     java.util.function.Supplier<io.helidon.config.Config> configuration) {
        this.config = config;
        this.stdin = stdin;
        this.stdout = stdout;
        FeatureRegistry features = new FeatureRegistry();
        this.security = new ServerSecurity(config.security(), config.http().path(), Clock.systemUTC());
        this.metrics = new ServerMetrics(this::routes, name -> features.tool(name).isPresent());
        this.cluster = config.cluster().enabled() ? new RedisLink(config.cluster()) : null;
        this.clusterNodes = cluster == null ? null : new ClusterNodes(cluster);
        // one hook for every transport: rate limits and audit (security), then the request meters
        // with tracing off the OpenTelemetry classes are never loaded (OtelTracing is only named here)
        this.tracing = config.tracing().enabled()
                ? OtelTracing.start(config.tracing(), config.protocol().serverName()) : RequestTracing.OFF;
        this.core = new McpCore(config.protocol(), features, security.accessPolicy(),
                metrics.observe(security.requestHook()), config.plugins().watch(), config.sessions(),
                io.mcpserver.server.resume.ResumeStore.inMemory(), tracing,
                cluster == null ? SessionStore.LOCAL : new RedisSessionStore(cluster, clusterNodes, config.http().replayBufferSize()),
                cluster == null ? "" : cluster.nodeId());
        this.presence = new LocalPresence(core.sessions());
        if (cluster != null) {
            core.dispatcher().spentStates(new RedisSpentStates(cluster));
            security.rateLimiter().shareBuckets(local -> new RedisRateBuckets(cluster,
                    security.rateLimiter().settings(), local, config.cluster().rateLimitsRefuseWithoutRedis()
                    ? RedisRateBuckets.Fallback.REFUSE : RedisRateBuckets.Fallback.LOCAL, null));
            core.tasks().shareStore(new RedisTaskStore(cluster, clusterNodes));
            security.shareSessionCaps(local -> sessionCaps = new RedisSessionCaps(cluster, clusterNodes,
                    core.sessions(), local));
        }
        // At start-up a plugin's section comes from the configuration just read (reading the file again for each
        // plugin was a tenth of a start, issue 14); a plugin loaded later sees the file as it is then.
        this.plugins = new PluginLoader(config.plugins().dir(), config.plugins().dataDir(),
                name -> ServerConfig.pluginConfig(starting ? config.raw() : configuration.get(), name),
                features, uri -> core.sessions().broadcastResourceUpdated(uri))
                .drainTimeout(config.protocol().toolTimeout())
                .onFailure(metrics::pluginLoadFailed);
    }

    public McpCore core() {
        return core;
    }

    public ServerConfig config() {
        return config;
    }

    public PluginLoader plugins() {
        return plugins;
    }

    public ServerSecurity security() {
        return security;
    }

    /**
     * Every listener bound and the plugins loaded, no shutdown begun, and (in a cluster) Redis reachable: what
     * {@code /ready} reports.
     */
    public boolean isReady() {
        return ready && (cluster == null || cluster.up());
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** Every live connection and session, on every transport (what {@code GET /admin/connections} lists). */
    public Presence presence() {
        return presence;
    }

    private boolean routes(String method) {
        return core.dispatcher().handles(method);
    }

    /** What {@code /ready} shows beside its status. */
    private Map<String, Object> readiness() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("state", isReady() ? "ready" : closed ? "stopping" : ready ? "waiting for Redis" : "starting");
        details.put("endpoints", String.join(" ", transports.stream().map(ServerTransport::endpoint).toList()));
        details.put("plugins", plugins.loaded().size());
        if (cluster != null) {
            details.putAll(cluster.details());
        }
        List<PluginSummary> failed = plugins.failures();
        if (!failed.isEmpty()) {
            // plugins are optional: a failed one does not make the server unready, but operators see it here
            details.put("failedPlugins", failed.stream().map(s -> s.name() + ": " + s.reason())
                    .collect(Collectors.joining("; ")));
        }
        return details;
    }

    /**
     * What each running transport's endpoint is, by transport name, as the ready line shows it
     * (e.g. {@code tcp → 127.0.0.1:41234}): how a test finds the port it got for port 0.
     */
    public Map<String, String> endpoints() {
        Map<String, String> result = new LinkedHashMap<>();
        for (ServerTransport t : transports) {
            String endpoint = t.endpoint();
            int eq = endpoint.indexOf('=');
            result.put(t.name(), eq < 0 ? endpoint : endpoint.substring(eq + 1));
        }
        return result;
    }

    /** Loads plugins and starts every enabled transport; logs the ready line. */
    public McpServer start() throws Exception {
        try {
            security.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start security: " + e.getMessage(), e);
        }
        if (cluster != null) {
            cluster.start(); // in the background: a node starts while Redis is down, and is ready once it is reachable
            clusterNodes.start();
            if (sessionCaps != null) {
                sessionCaps.start();
            }
        }
        // The plugins load on a thread of their own while the listeners are built (Helidon's routing, features and
        // their class initialisation take about as long, issue 14); a listener binds only once every plugin is in
        // place, so that the first tools/list a client can send lists them all. A platform thread, as main was: a
        // virtual one could wait for a class initialised by another virtual thread with every carrier pinned (the
        // start-up that hung in the cluster tests), and a plugin's init runs on the kind of thread it always did.
        FutureTask<List<PluginSummary>> loading = new FutureTask<>(() -> {
            try {
                return plugins.loadAll();
            } finally {
                starting = false;
            }
        });
        Thread.ofPlatform().name("mcp-plugin-load").daemon().start(loading);
        if (config.tcp().enabled()) {
            transports.add(newTcpTransport());
        }
        if (config.http().enabled()) {
            transports.add(newHttpTransport());
        }
        for (ServerTransport t : transports) {
            try {
                t.prepare();
            } catch (Exception e) {
                awaitQuietly(loading); // nothing is closed under a plugin's init
                close();
                throw new IllegalStateException("cannot start the " + t.name() + " transport: " + e.getMessage(), e);
            }
        }
        List<PluginSummary> loaded;
        try {
            loaded = loaded(loading);
        } catch (Exception | Error e) {
            close(); // the listeners built meanwhile (never bound) go with it
            throw e;
        }
        security.pluginCheckers(this::pluginCheckers);
        long failed = loaded.stream().filter(s -> s.status() == PluginStatus.FAILED).count();
        LOG.log(System.Logger.Level.INFO, "Plugins: " + loaded.stream().filter(s -> s.status() == PluginStatus.LOADED).count()
                + " loaded, " + failed + " failed, from " + config.plugins().dir());
        if (config.plugins().watch()) {
            watcher = PluginWatcher.start(plugins, config.plugins().watchDebounce());
        }
        transports.addAll(pluginTransports());
        if (config.stdio().enabled()) {
            // Last, so that every plugin is in place before the first message is read.
            transports.add(new StdioTransport(core, stdin, stdout, config.stdio().maxMessageSize(), localCaller(),
                    this::close));
        }
        Map<String, String> listeners = new LinkedHashMap<>();
        if (config.tcp().enabled()) {
            listeners.put("tcp", config.tcp().host());
        }
        if (config.http().enabled()) {
            listeners.put("http", config.http().host());
        }
        security.warnIfExposed(listeners);
        warnIfTooFewOpenFiles();
        for (ServerTransport t : transports) {
            try {
                t.start();
            } catch (Exception e) {
                close();
                throw new IllegalStateException("cannot start the " + t.name() + " transport: " + e.getMessage(), e);
            }
        }
        registerGauges();
        ready = true;
        LOG.log(System.Logger.Level.INFO, "MCP server ready: " + transports.stream().map(ServerTransport::endpoint)
                .collect(Collectors.joining(" ")));
        return this;
    }

    /** What the start-up load of the plugins returned; what it threw is thrown here, as when main loaded them. */
    private static List<PluginSummary> loaded(FutureTask<List<PluginSummary>> loading) throws Exception {
        try {
            return loading.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static void awaitQuietly(FutureTask<?> task) {
        try {
            task.get();
        } catch (ExecutionException e) {
            // reported by whoever asks for the result; here it only had to end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Each TCP connection and each HTTP stream or WebSocket holds an open file; a process limit below the
     * configured maxima fails clients with "Too many open files" long before the limits apply. The JVM raises its
     * soft limit to the hard one by itself, so what is reported is the hard limit (LimitNOFILE, ulimit -Hn).
     */
    private void warnIfTooFewOpenFiles() {
        long needed = 256 + (config.tcp().enabled() ? config.tcp().maxConnections() : 0)
                + (config.http().enabled() ? config.http().maxSessions() : 0);
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() < needed) {
            LOG.log(System.Logger.Level.WARNING, "Open-file limit " + unix.getMaxFileDescriptorCount()
                    + " is below what transports.tcp.max-connections and transports.http.max-sessions allow (about "
                    + needed + "): raise it (systemd LimitNOFILE, ulimit -n) or lower those limits");
        }
    }

    private ServerTransport newTcpTransport() {
        return new TcpTransport(core, config.tcp(), edge());
    }

    private ServerTransport newHttpTransport() {
        AdminEndpoints admin = new AdminEndpoints(config.admin(), config.http(), edge(), presence, plugins,
                metrics.recent(), security.audit());
        return new HttpTransport(core, config, edge(),
                new ObserveEndpoints(config.observe(), this::isReady, this::readiness, metrics)
                        .liveness("audit", security.audit()::healthy, security.audit()::problems))
                .routes(admin::routing);
    }

    /** Connections and sessions per transport label, and plugin load failures, for {@code /metrics}. */
    private void registerGauges() {
        security.audit().onDropped(metrics.audit(security.audit()::healthy));
        Set<String> labels = new LinkedHashSet<>();
        for (ServerTransport t : transports) {
            Map<String, Integer> counts = t.connectionCounts();
            for (String label : counts.keySet()) {
                metrics.connections(label, () -> t.connectionCounts().getOrDefault(label, 0));
            }
            labels.addAll(counts.keySet());
            labels.add(t.name());
        }
        labels.forEach(label -> metrics.sessions(label, () -> (int) core.sessions().countByTransport(label)));
        core.resumption().observe(metrics.resumption(core.resumption()::waiting));
    }

    private List<ServerTransport> pluginTransports() {
        List<ServerTransport> result = new ArrayList<>();
        Set<String> builtIn = Set.of("stdio", "tcp", "http");
        Set<String> offered = new java.util.HashSet<>();
        for (LoadedPlugin p : plugins.loaded()) {
            List<TransportFactory> factories;
            try {
                factories = p.plugin().transports();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "Plugin " + p.name() + " failed to list its transports: " + e);
                continue;
            }
            for (TransportFactory f : factories == null ? List.<TransportFactory>of() : factories) {
                String name = f.name();
                offered.add(name);
                if (builtIn.contains(name)) {
                    LOG.log(System.Logger.Level.WARNING, "Plugin " + p.name() + " offers transport '" + name
                            + "', which is built in; ignored");
                    continue;
                }
                var section = config.raw().get("transports").get(name);
                boolean enabled = section.get("enabled").asBoolean().orElse(false);
                if (!enabled) {
                    LOG.log(System.Logger.Level.INFO, "Transport " + name + " from plugin " + p.name()
                            + " is off (set transports." + name + ".enabled: true)");
                    continue;
                }
                result.add(new PluginTransport(core, f, p, config, edge()));
            }
        }
        // transports.<name> is left to plugins when the configuration is read; say so if none took it (a typo?)
        for (var section : config.raw().get("transports").asNodeList().orElse(List.of())) {
            if (!builtIn.contains(section.name()) && !offered.contains(section.name())) {
                LOG.log(System.Logger.Level.WARNING, "transports." + section.name() + " configures nothing: no plugin "
                        + "offers a transport of that name" + io.mcpserver.server.config.ConfigKeys
                        .closest(section.name(), builtIn).map(s -> " (did you mean transports." + s + "?)").orElse(""));
            }
        }
        return result;
    }

    /** The identity of the local process on stdio: trusted, named by configuration. */
    Caller localCaller() {
        return security.localCaller();
    }

    /**
     * The credential checkers the loaded plugins contribute, read once per plugin version (a reload or an unload
     * changes the list of loaded plugins, and so reads them again).
     */
    private List<io.mcpserver.server.security.CredentialCheckers.PluggedChecker> pluginCheckers() {
        List<LoadedPlugin> now = List.copyOf(plugins.loaded());
        PluginCheckers seen = pluginCheckers;
        if (seen != null && seen.plugins().equals(now)) {
            return seen.checkers();
        }
        List<io.mcpserver.server.security.CredentialCheckers.PluggedChecker> checkers = new ArrayList<>();
        for (LoadedPlugin p : now.stream().sorted(java.util.Comparator.comparing(LoadedPlugin::name)).toList()) {
            List<io.mcpserver.spi.auth.CredentialChecker> offered;
            try {
                offered = p.plugin().credentialCheckers();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "Plugin " + p.name() + " failed to list its credential checkers: " + e);
                continue;
            }
            for (var checker : offered == null ? List.<io.mcpserver.spi.auth.CredentialChecker>of() : offered) {
                if (checker != null) {
                    checkers.add(io.mcpserver.server.security.CredentialCheckers.PluggedChecker.of(p.name(),
                            p.classLoader(), checker));
                }
            }
        }
        if (seen == null || !seen.checkers().isEmpty() || !checkers.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "Credential checkers from plugins: " + (checkers.isEmpty() ? "none"
                    : checkers.stream().map(c -> c.plugin() + " " + c.schemes()).toList()));
        }
        pluginCheckers = new PluginCheckers(now, List.copyOf(checkers));
        return pluginCheckers.checkers();
    }

    private record PluginCheckers(List<LoadedPlugin> plugins,
                                  List<io.mcpserver.server.security.CredentialCheckers.PluggedChecker> checkers) {
    }

    /** The one edge authenticator of every network transport; with security off everyone is anonymous. */
    private EdgeAuthenticator edge() {
        return security.edge();
    }

    /** Blocks until the server has stopped (stdin closed, or {@link #close()}). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Lets running requests finish, up to {@code server.shutdown-grace}; true when none is left. */
    private boolean awaitInFlight() {
        long deadline = System.nanoTime() + config.protocol().shutdownGrace().toNanos();
        try {
            for (var session : core.sessions().all()) { // also counts requests whose thread has not started yet
                long left = deadline - System.nanoTime();
                if (left <= 0 || !session.awaitIdle(Duration.ofNanos(left))) {
                    return false;
                }
            }
            return core.dispatcher().awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // The order matters: /ready says "no" at once while every listener still serves; no new clients;
        // running requests finish (up to the grace period) or are cancelled; then connections close politely.
        ready = false;
        core.resumption().stop(); // a connection that ends from now on closes its session: nobody can come back
        LOG.log(System.Logger.Level.INFO, "Stopping MCP server: no new clients; running requests have up to "
                + config.protocol().shutdownGrace().toMillis() + " ms (server.shutdown-grace)");
        PluginWatcher w = watcher;
        if (w != null) {
            w.close();
        }
        for (ServerTransport t : transports) {
            try {
                t.stopAccepting();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "stopping " + t.name() + " from accepting: " + e);
            }
        }
        core.subscriptions().endAll(); // open subscriptions/listen requests get their final response
        int tasks = core.tasks().cancelAll("the server is stopping"); // in memory, a task cannot outlive the process
        if (tasks > 0) {
            LOG.log(System.Logger.Level.INFO, "Cancelled " + tasks + " running task(s)");
        }
        if (!awaitInFlight()) {
            int cancelled = core.dispatcher().cancelAll(io.mcpserver.server.protocol.InFlightRequest.SHUTDOWN);
            LOG.log(System.Logger.Level.WARNING, "Shutdown grace period (" + config.protocol().shutdownGrace().toMillis()
                    + " ms) over; cancelled " + cancelled + " running request(s), each answered with an error");
            try { // let the cancelled requests send their error before the transports close
                core.dispatcher().awaitIdle(java.time.Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ServerTransport t : transports.reversed()) {
            try {
                t.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + t.name() + ": " + e);
            }
        }
        // evict, not close: a shared session goes on on the other nodes of a cluster
        core.sessions().all().forEach(s -> core.sessions().evict(s, "server stopping"));
        try { // cancelled requests end quickly; their audit records and meters come before those close
            core.dispatcher().awaitIdle(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        plugins.close();
        core.close();
        if (cluster != null) {
            if (sessionCaps != null) {
                sessionCaps.close();
            }
            clusterNodes.close();
            cluster.close();
        }
        security.close(); // the records of the calls that just ended are written
        metrics.close();
        tracing.close(); // the spans of the last requests are sent
        LOG.log(System.Logger.Level.INFO, "MCP server stopped");
        stopped.countDown();
    }
}
