package io.mcpserver.server.config;

import io.helidon.config.Config;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.StatelessSettings;
import io.mcpserver.server.protocol.TaskSettings;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.PluginConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The validated configuration. Every key and default here is documented in {@code conf/mcp-server.yaml}
 * and {@code docs/configuration.md}.
 */
public record ServerConfig(Path home, Path configFile, String host, ProtocolSettings protocol,
                           StdioSettings stdio, TcpSettings tcp, HttpSettings http, WebSocketSettings websocket,
                           PluginSettings plugins, SecuritySettings security, ObserveSettings observe,
                           AdminSettings admin, ClusterSettings cluster, Config raw) {

    /** {@code sessions.*}: session recovery on WebSocket and TCP. */
    public io.mcpserver.server.resume.ResumeSettings sessions() {
        return resumeSettings(new ConfigReader(raw));
    }

    private static io.mcpserver.server.resume.ResumeSettings resumeSettings(ConfigReader r) {
        Duration window = r.duration("sessions.resume-window");
        return new io.mcpserver.server.resume.ResumeSettings(window, r.integer("sessions.replay-buffer"));
    }

    /** {@code tracing.*}, checked when the configuration was loaded. */
    public TracingSettings tracing() {
        return TracingSettings.read(new ConfigReader(raw));
    }

    /** {@code limits.max-message-size}: the limit of every transport that sets none of its own. */
    public long maxMessageSize() {
        return new ConfigReader(raw).size("limits.max-message-size");
    }

    /** {@code rest.*}: the REST facade on the HTTP listener (validated by {@link #from}). */
    public RestSettings rest() {
        return RestSettings.read(new ConfigReader(raw), http);
    }

    public record StdioSettings(boolean enabled, long maxMessageSize) {
    }

    /** @param watchDebounce how long a changed JAR must stay unchanged before it is reloaded */
    public record PluginSettings(Path dir, Path dataDir, boolean watch, Duration watchDebounce) {
    }

    /** Reads and validates everything; throws {@link ConfigException} listing every problem. */
    public static ServerConfig from(Config config, Path home, Path configFile, String version) {
        ConfigReader r = new ConfigReader(config);
        ConfigKeys.unknownKeys(config).forEach(r.problems()::add);
        ServerConfig result = read(r, config, home, configFile, version);
        r.check();
        return result;
    }

    /**
     * Every setting at its declared default (home: the working directory): for tests and embedding, so that
     * no default is written twice.
     */
    public static ServerConfig defaults() {
        return from(Config.empty(), Path.of("").toAbsolutePath(), null, "dev");
    }

    /** Reads every key, leaving the problems found in {@code r}. */
    static ServerConfig read(ConfigReader r, Config config, Path home, Path configFile, String version) {
        String host = r.string("server.host");
        long defaultSize = r.size("limits.max-message-size");

        Duration toolTimeout = r.duration("protocol.tool-timeout");
        if (toolTimeout.isZero()) {
            r.problem("protocol.tool-timeout", "must be greater than zero");
        }
        ProtocolSettings protocol = new ProtocolSettings(
                r.string("server.name"),
                version,
                r.string("server.instructions"),
                r.integer("protocol.page-size"),
                r.enumValue("protocol.log-level", LogLevel.class),
                r.duration("protocol.client-request-timeout"),
                toolTimeout,
                r.integer("limits.max-in-flight-per-session"),
                r.duration("server.shutdown-grace"),
                statelessSettings(r),
                toolTimeouts(r),
                taskSettings(r),
                r.integer("limits.max-subscriptions-per-session"),
                r.integer("limits.max-uri-length"));

        StdioSettings stdio = new StdioSettings(
                r.bool("transports.stdio.enabled"),
                r.size("transports.stdio.max-message-size", defaultSize));
        TcpSettings tcp = TcpSettings.read(r, host, defaultSize, home);
        HttpSettings http = HttpSettings.read(r, host, defaultSize, home);
        WebSocketSettings websocket = WebSocketSettings.read(r, http.maxMessageSize());
        PluginSettings plugins = new PluginSettings(
                r.path("plugins.dir", home),
                r.path("plugins.data-dir", home),
                r.bool("plugins.watch"),
                r.duration("plugins.watch-debounce"));
        if (plugins.watchDebounce().isNegative()) {
            r.problem("plugins.watch-debounce", "must not be negative");
        }
        SecuritySettings security = SecuritySettings.read(r, home);
        resumeSettings(r); // read here so that its problems are reported with the others
        ObserveSettings observe = ObserveSettings.read(r, http, websocket);
        RestSettings.read(r, http); // checked here with everything else; rest() reads it again when it is needed
        AdminSettings admin = AdminSettings.read(r);
        TracingSettings.read(r); // its problems stop the start like any other's; tracing() reads it for use
        ClusterSettings cluster = ClusterSettings.read(r);
        return new ServerConfig(home, configFile, host, protocol, stdio, tcp, http, websocket, plugins, security, observe,
                admin, cluster, config);
    }

    /** The stateless era (2026-07-28): caching hints and the key sealing multi round-trip request state. */
    private static StatelessSettings statelessSettings(ConfigReader r) {
        String scope = r.choice("protocol.cache.scope");
        byte[] key = null;
        String encoded = r.string("protocol.request-state-key");
        if (encoded != null && !encoded.isBlank()) {
            try {
                key = java.util.Base64.getDecoder().decode(encoded.strip());
            } catch (IllegalArgumentException e) {
                r.problem("protocol.request-state-key", "must be base64 (e.g. the output of `openssl rand -base64 32`)");
            }
            if (key != null && key.length < StatelessSettings.MIN_KEY_BYTES) {
                r.problem("protocol.request-state-key", "must decode to at least " + StatelessSettings.MIN_KEY_BYTES
                        + " bytes, has " + key.length);
                key = null;
            }
        }
        Duration stateTtl = r.duration("protocol.request-state-ttl");
        if (stateTtl.isZero()) {
            r.problem("protocol.request-state-ttl", "must be greater than zero");
        }
        return new StatelessSettings(r.duration("protocol.cache.list-ttl"), r.duration("protocol.cache.read-ttl"), scope,
                key, stateTtl);
    }

    /** {@code protocol.tasks}: how long tasks are kept, the poll interval suggested, how many run at once. */
    private static TaskSettings taskSettings(ConfigReader r) {
        Duration ttl = r.duration("protocol.tasks.ttl");
        if (ttl.isZero()) {
            r.problem("protocol.tasks.ttl", "must be greater than zero");
            ttl = Duration.ofSeconds(1); // reported above; keeps TaskSettings constructible until check()
        }
        Duration poll = r.duration("protocol.tasks.poll-interval");
        if (poll.isZero()) {
            r.problem("protocol.tasks.poll-interval", "must be greater than zero");
            poll = Duration.ofSeconds(1);
        }
        return new TaskSettings(ttl, poll, r.integer("protocol.tasks.max-running"));
    }

    /** {@code protocol.tool-timeouts}: per-tool overrides of {@code protocol.tool-timeout}, by tool name. */
    private static Map<String, Duration> toolTimeouts(ConfigReader r) {
        Map<String, Duration> timeouts = new java.util.LinkedHashMap<>();
        for (Config node : r.section("protocol.tool-timeouts").asNodeList().orElse(List.of())) {
            String value = node.asString().orElse("");
            Duration d = ConfigReader.parseDuration(value);
            if (d == null || d.isNegative() || d.isZero()) {
                r.problem("protocol.tool-timeouts." + node.name(), "must be a positive duration such as 30s or 10m, was '"
                        + value + "'");
            } else {
                timeouts.put(node.name(), d);
            }
        }
        return timeouts;
    }

    /** A plugin's own {@code plugins.<name>} section. */
    public PluginConfig pluginConfig(String pluginName) {
        return pluginConfig(raw, pluginName);
    }

    /** A plugin's own {@code plugins.<name>} section of {@code config}. */
    public static PluginConfig pluginConfig(Config config, String pluginName) {
        return new PluginConfig(ConfigReader.plain(config.get("plugins").get(pluginName)));
    }

    /** Names of the transports that will listen. */
    public List<String> enabledTransports() {
        List<String> names = new java.util.ArrayList<>();
        if (stdio.enabled()) {
            names.add("stdio");
        }
        if (tcp.enabled()) {
            names.add("tcp");
        }
        if (http.enabled()) {
            names.add("http");
        }
        return names;
    }
}
