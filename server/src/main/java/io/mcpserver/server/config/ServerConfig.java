package io.mcpserver.server.config;

import io.helidon.config.Config;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.PluginConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated configuration. Every key and default here is documented in {@code conf/mcp-server.yaml}
 * and {@code docs/configuration.md}.
 */
public record ServerConfig(Path home, Path configFile, String host, ProtocolSettings protocol,
                           StdioSettings stdio, TcpSettings tcp, HttpSettings http, PluginSettings plugins,
                           Config raw) {

    /** Default for every transport's message size limit. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 4L * 1024 * 1024;

    public record StdioSettings(boolean enabled, long maxMessageSize) {
    }

    public record PluginSettings(Path dir, Path dataDir, boolean watch) {
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
        TcpSettings tcp = TcpSettings.read(r, host, defaultSize);
        HttpSettings http = HttpSettings.read(r, host, defaultSize);
        PluginSettings plugins = new PluginSettings(
                r.path("plugins.dir", home, home.resolve("plugins")),
                r.path("plugins.data-dir", home, home.resolve("data")),
                r.bool("plugins.watch", false));
        if (protocol.toolTimeout().isZero()) {
            r.problem("protocol.tool-timeout", "must be greater than zero");
        }
        r.check();
        return new ServerConfig(home, configFile, host, protocol, stdio, tcp, http, plugins, config);
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
