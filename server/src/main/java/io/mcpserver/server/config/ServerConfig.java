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
                           Config raw) {

    /** Default for every transport's message size limit. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 4L * 1024 * 1024;

    public record StdioSettings(boolean enabled, long maxMessageSize) {
    }

    /** @param watchDebounce how long a changed JAR must stay unchanged before it is reloaded */
    public record PluginSettings(Path dir, Path dataDir, boolean watch, Duration watchDebounce) {
    }

    /** Reads and validates everything; throws {@link ConfigException} listing every problem. */
    public static ServerConfig from(Config config, Path home, Path configFile, String version) {
        ConfigReader r = new ConfigReader(config);
        String host = r.string("server.host", "127.0.0.1");
        long defaultSize = r.size("limits.max-message-size", DEFAULT_MAX_MESSAGE_SIZE);

        ProtocolSettings protocol = new ProtocolSettings(
                r.string("server.name", "mcp-server"),
                version,
                r.string("server.instructions", null),
                r.integer("protocol.page-size", 100, 1, 10_000),
                r.enumValue("protocol.log-level", LogLevel.class, LogLevel.INFO),
                r.duration("protocol.client-request-timeout", Duration.ofSeconds(60)),
                r.duration("protocol.tool-timeout", Duration.ofMinutes(5)),
                r.integer("limits.max-in-flight-per-session", 64, 1, 100_000),
                r.duration("server.shutdown-grace", Duration.ofSeconds(10)));

        StdioSettings stdio = new StdioSettings(
                r.bool("transports.stdio.enabled", false),
                r.size("transports.stdio.max-message-size", defaultSize));
        TcpSettings tcp = TcpSettings.read(r, host, defaultSize, home);
        HttpSettings http = HttpSettings.read(r, host, defaultSize, home);
        WebSocketSettings websocket = WebSocketSettings.read(r, http.maxMessageSize());
        PluginSettings plugins = new PluginSettings(
                r.path("plugins.dir", home, home.resolve("plugins")),
                r.path("plugins.data-dir", home, home.resolve("data")),
                r.bool("plugins.watch", false),
                r.duration("plugins.watch-debounce", Duration.ofSeconds(1)));
        if (plugins.watchDebounce().isNegative()) {
            r.problem("plugins.watch-debounce", "must not be negative");
        }
        if (protocol.toolTimeout().isZero()) {
            r.problem("protocol.tool-timeout", "must be greater than zero");
        }
        protocol = protocol.withToolTimeouts(toolTimeouts(r)).withStateless(statelessSettings(r))
                .withTasks(taskSettings(r))
                .withSubscriptionLimits(
                        r.integer("limits.max-subscriptions-per-session", ProtocolSettings.DEFAULT_MAX_SUBSCRIPTIONS, 1,
                                1_000_000),
                        r.integer("limits.max-uri-length", ProtocolSettings.DEFAULT_MAX_URI_LENGTH, 16, 1 << 20));
        SecuritySettings security = SecuritySettings.read(r, home);
        ObserveSettings observe = ObserveSettings.read(r, http, websocket);
        r.check();
        return new ServerConfig(home, configFile, host, protocol, stdio, tcp, http, websocket, plugins, security, observe,
                config);
    }

    /** The stateless era (2026-07-28): caching hints and the key sealing multi round-trip request state. */
    private static StatelessSettings statelessSettings(ConfigReader r) {
        StatelessSettings d = StatelessSettings.defaults();
        String scope = r.string("protocol.cache.scope", d.cacheScope());
        if (!scope.equals("private") && !scope.equals("public")) {
            r.problem("protocol.cache.scope", "must be private or public, was '" + scope + "'");
            scope = d.cacheScope();
        }
        byte[] key = null;
        String encoded = r.string("protocol.request-state-key", "");
        if (!encoded.isBlank()) {
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
        Duration stateTtl = r.duration("protocol.request-state-ttl", d.requestStateTtl());
        if (stateTtl.isZero()) {
            r.problem("protocol.request-state-ttl", "must be greater than zero");
            stateTtl = d.requestStateTtl();
        }
        return new StatelessSettings(r.duration("protocol.cache.list-ttl", d.listTtl()),
                r.duration("protocol.cache.read-ttl", d.readTtl()), scope, key, stateTtl);
    }

    /** {@code protocol.tasks}: how long tasks are kept, the poll interval suggested, how many run at once. */
    private static TaskSettings taskSettings(ConfigReader r) {
        TaskSettings d = TaskSettings.defaults();
        Duration ttl = r.duration("protocol.tasks.ttl", d.ttl());
        if (ttl.isZero() || ttl.isNegative()) {
            r.problem("protocol.tasks.ttl", "must be greater than zero");
            ttl = d.ttl();
        }
        Duration poll = r.duration("protocol.tasks.poll-interval", d.pollInterval());
        if (poll.isZero() || poll.isNegative()) {
            r.problem("protocol.tasks.poll-interval", "must be greater than zero");
            poll = d.pollInterval();
        }
        return new TaskSettings(ttl, poll, r.integer("protocol.tasks.max-running", d.maxRunning(), 1,
                Integer.MAX_VALUE));
    }

    /** {@code protocol.tool-timeouts}: per-tool overrides of {@code protocol.tool-timeout}, by tool name. */
    private static Map<String, Duration> toolTimeouts(ConfigReader r) {
        Map<String, Duration> timeouts = new java.util.LinkedHashMap<>();
        for (Config node : r.root().get("protocol.tool-timeouts").asNodeList().orElse(List.of())) {
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
        return new PluginConfig(ConfigReader.plain(raw.get("plugins").get(pluginName)));
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
