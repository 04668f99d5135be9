package io.mcpserver.server.testkit;

import io.helidon.config.Config;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.plugins.PluginSummary;
import io.mcpserver.spi.McpPlugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real MCP server in this JVM for a plugin's JUnit tests: the plugin instances you give are
 * registered as if loaded from JARs (same checks, same {@code init} with their config section and a
 * data directory), and clients reach them through the TCP transport on a free port.
 *
 * <pre>{@code
 * try (McpTestServer server = McpTestServer.with(new WeatherPlugin()).config("units", "metric").start();
 *      McpTestClient client = server.client()) {
 *     assertEquals("12 °C", client.callTool("temperature", Map.of("city", "Oslo")).text());
 * }
 * }</pre>
 *
 * <p>Everything else is off (stdio, HTTP), the plugins folder is an empty temporary one unless
 * {@link Builder#pluginsDir} names another, and temporary folders are deleted by {@link #close()}.
 * Add {@code io.mcpserver:mcp-server} with test scope to use it.
 */
public final class McpTestServer implements AutoCloseable {

    private final McpServer server;
    private final List<Path> temporary;
    private final List<McpTestClient> clients = new ArrayList<>();

    private McpTestServer(McpServer server, List<Path> temporary) {
        this.server = server;
        this.temporary = temporary;
    }

    /** A server with these plugins (none is fine: e.g. only what {@link Builder#pluginsDir} holds). */
    public static Builder with(McpPlugin... plugins) {
        return new Builder(List.of(plugins));
    }

    /** A client connected to this server and initialized, declaring no client capabilities. */
    public McpTestClient client() {
        return client(McpTestClient.options());
    }

    /** A client with these capabilities and handlers (sampling, elicitation, roots). Closed with the server. */
    public McpTestClient client(McpTestClient.Options options) {
        McpTestClient client = McpTestClient.connect(host(), port(), options);
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** The host the TCP transport listens on. */
    public String host() {
        String endpoint = tcpEndpoint();
        return endpoint.substring(0, endpoint.lastIndexOf(':')).replace("[", "").replace("]", "");
    }

    /** The port the TCP transport got. */
    public int port() {
        String endpoint = tcpEndpoint();
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    private String tcpEndpoint() {
        String endpoint = server.endpoints().get("tcp");
        if (endpoint == null) {
            throw new IllegalStateException("the TCP transport is not running: " + server.endpoints());
        }
        return endpoint.replaceFirst("^[a-z]+://", "");
    }

    /** The running server, for what the kit does not wrap (its registry, its plugin loader…). */
    public McpServer server() {
        return server;
    }

    public Path pluginsDir() {
        return server.config().plugins().dir();
    }

    /** The data directory a plugin gets from {@code PluginContext.dataDirectory()}. */
    public Path dataDir(String pluginName) {
        return server.config().plugins().dataDir().resolve(pluginName);
    }

    /** Stops the server (and the clients it handed out) and deletes its temporary folders. */
    @Override
    public void close() {
        synchronized (clients) {
            clients.forEach(McpTestClient::close);
            clients.clear();
        }
        try {
            server.close();
        } finally {
            temporary.forEach(McpTestServer::deleteQuietly);
        }
    }

    /** Chooses plugins and configuration, then {@link #start()}. Every setter returns this builder. */
    public static final class Builder {

        private final List<McpPlugin> plugins;
        private final Map<String, String> config = new LinkedHashMap<>();
        private Path pluginsDir;
        private Path dataDir;

        private Builder(List<McpPlugin> plugins) {
            this.plugins = plugins;
            config.put("transports.stdio.enabled", "false");
            config.put("transports.http.enabled", "false");
            config.put("transports.tcp.enabled", "true");
            config.put("transports.tcp.host", "127.0.0.1");
            config.put("transports.tcp.port", "0");
            config.put("server.shutdown-grace", "2s");
        }

        /**
         * A key of the plugin's own section, {@code plugins.<name>.<key>}, as its {@code PluginConfig}
         * will read it. Lists and maps nest as in YAML. Needs exactly one plugin; else use {@link #set}.
         */
        public Builder config(String key, Object value) {
            if (plugins.size() != 1) {
                throw new IllegalStateException("config(key, value) is for a server with one plugin; use "
                        + "set(\"plugins.<name>." + key + "\", value)");
            }
            return set("plugins." + plugins.getFirst().name() + "." + key, value);
        }

        /** Any configuration key, as in {@code conf/mcp-server.yaml}: {@code protocol.tool-timeout}, {@code plugins.watch}… */
        public Builder set(String key, Object value) {
            flatten(key, value);
            return this;
        }

        /** Also loads the plugin JARs in this folder (as the server does at startup), e.g. for runtime reload. */
        public Builder pluginsDir(Path dir) {
            this.pluginsDir = dir;
            return this;
        }

        /** Where plugins keep data (default: a temporary folder deleted on close). */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /**
         * Starts the server: plugins registered and initialized, TCP listening.
         *
         * @throws IllegalStateException when a plugin does not load (the message says why) or the
         *                               configuration is invalid
         */
        public McpTestServer start() {
            List<Path> temporary = new ArrayList<>();
            McpServer server = null;
            try {
                Path home = Files.createTempDirectory("mcp-test-server-");
                temporary.add(home);
                Path folder = pluginsDir != null ? pluginsDir : Files.createDirectories(home.resolve("plugins"));
                Path data = dataDir != null ? dataDir : home.resolve("data");
                config.putIfAbsent("plugins.dir", folder.toAbsolutePath().toString());
                config.putIfAbsent("plugins.data-dir", data.toAbsolutePath().toString());
                // No file, no environment: a test sees only what it set.
                Config raw = ConfigLoader.load(null, null, config, Map.of());
                ServerConfig serverConfig = ServerConfig.from(raw, home, null, "test");
                server = new McpServer(serverConfig, InputStream.nullInputStream(), OutputStream.nullOutputStream());
                for (McpPlugin plugin : plugins) {
                    PluginSummary summary = server.plugins().register(plugin);
                    if (!summary.status().equals("loaded")) {
                        throw new IllegalStateException("plugin " + summary.name() + " was not loaded: "
                                + summary.reason() + (summary.status().equals("disabled")
                                ? " (set(\"plugins." + summary.name() + ".enabled\", true) turns it on)" : ""));
                    }
                }
                server.start();
                return new McpTestServer(server, temporary);
            } catch (IOException e) {
                cleanUp(server, temporary);
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                cleanUp(server, temporary);
                throw e;
            } catch (Exception e) {
                cleanUp(server, temporary);
                throw new IllegalStateException("the server did not start: " + e.getMessage(), e);
            }
        }

        private void flatten(String key, Object value) {
            switch (value) {
                case null -> config.remove(key);
                case Map<?, ?> map -> map.forEach((k, v) -> flatten(key + "." + k, v));
                case List<?> list -> {
                    for (int i = 0; i < list.size(); i++) {
                        flatten(key + "." + i, list.get(i));
                    }
                }
                default -> config.put(key, value.toString());
            }
        }

        private static void cleanUp(McpServer server, List<Path> temporary) {
            if (server != null) {
                server.close();
            }
            temporary.forEach(McpTestServer::deleteQuietly);
        }
    }

    private static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp folder left behind is harmless
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // same
        }
    }
}
