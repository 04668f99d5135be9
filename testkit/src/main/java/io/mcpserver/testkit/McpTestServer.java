package io.mcpserver.testkit;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.testkit.bridge.EmbeddedServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real MCP server in this JVM for a plugin's JUnit tests, reached by {@link McpTestClient}s over its TCP
 * transport on a free port.
 *
 * <pre>{@code
 * try (McpTestServer server = McpTestServer.with(WeatherPlugin.class).config("units", "metric").start();
 *      McpTestClient client = server.client()) {
 *     assertEquals("12 °C", client.callTool("temperature", Map.of("city", "Oslo")).text());
 * }
 * }</pre>
 *
 * <p><b>Isolated as in the distribution.</b> The server runs in a class loader of its own (its JARs travel inside
 * the kit), so it never shares a library with the test's class path. A plugin given by its class
 * ({@link #with(Class[])}) is loaded, like a plugin directory, through a new plugin class loader over the test's
 * class path whose parent shows only the JDK and {@code io.mcpserver.spi}: a plugin bundling another Jackson
 * (or anything else the server uses) runs on its own version, and its static state is fresh in each server.
 * {@link #withInstances} registers objects the test made instead (same checks, same {@code init}); they keep the
 * test's class loader.
 *
 * <p>Everything but TCP is off (stdio, HTTP), the plugins folder is an empty temporary one unless
 * {@link Builder#pluginsDir} names another, and temporary folders are deleted by {@link #close()}.
 * Add {@code io.mcpserver:mcp-plugin-testkit} with test scope to use it.
 */
public final class McpTestServer implements AutoCloseable {

    private final EmbeddedServer server;
    private final List<Path> temporary;
    private final List<McpTestClient> clients = new ArrayList<>();

    private McpTestServer(EmbeddedServer server, List<Path> temporary) {
        this.server = server;
        this.temporary = temporary;
    }

    /**
     * A server with these plugins, each loaded through a plugin class loader as the distribution loads a JAR
     * (public no-argument constructor). None is fine: e.g. only what {@link Builder#pluginsDir} holds.
     */
    @SafeVarargs
    public static Builder with(Class<? extends McpPlugin>... pluginClasses) {
        return new Builder(Arrays.stream(pluginClasses).map(Class::getName).toList(), List.of());
    }

    /**
     * A server with plugin instances the test made (for a constructor with arguments, or to look inside the
     * instance afterwards). They are registered with the same checks and {@code init}, but keep the test's class
     * loader: prefer {@link #with(Class[])}, which isolates them as the distribution does.
     */
    public static Builder withInstances(McpPlugin... plugins) {
        return new Builder(List.of(), List.of(plugins));
    }

    /** A client connected to this server and initialized, declaring no client capabilities. */
    public McpTestClient client() {
        return client(McpTestClient.options());
    }

    /** A client with these capabilities and handlers (sampling, elicitation, roots). Closed with the server. */
    public McpTestClient client(McpTestClient.Options options) {
        McpTestClient client = McpTestClient.connect(host(), port(), options, new McpTestClient.Codec() {
            @Override
            public String write(Object value) {
                return server.toJson(value);
            }

            @Override
            public Object read(String text) {
                return server.parseJson(text);
            }
        });
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** The host the TCP transport listens on. */
    public String host() {
        String address = server.tcpAddress();
        return address.substring(0, address.lastIndexOf(':')).replace("[", "").replace("]", "");
    }

    /** The port the TCP transport got. */
    public int port() {
        String address = server.tcpAddress();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    public Path pluginsDir() {
        return server.pluginsDir();
    }

    /** The data directory a plugin gets from {@code PluginContext.dataDirectory()}. */
    public Path dataDir(String pluginName) {
        return server.dataDir().resolve(pluginName);
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
            temporary.forEach(ServerRuntime::deleteQuietly);
        }
    }

    /** Chooses plugins and configuration, then {@link #start()}. Every setter returns this builder. */
    public static final class Builder {

        private final List<String> pluginClasses;
        private final List<McpPlugin> instances;
        private final Map<String, String> config = new LinkedHashMap<>();
        private Path pluginsDir;
        private Path dataDir;

        private Builder(List<String> pluginClasses, List<McpPlugin> instances) {
            this.pluginClasses = pluginClasses;
            this.instances = instances;
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
            if (pluginClasses.size() + instances.size() != 1) {
                throw new IllegalStateException("config(key, value) is for a server with one plugin; use "
                        + "set(\"plugins.<name>." + key + "\", value)");
            }
            return set("plugins." + pluginName() + "." + key, value);
        }

        /** The one plugin's name, asked of a throwaway instance (the server makes its own). */
        private String pluginName() {
            if (!instances.isEmpty()) {
                return instances.getFirst().name();
            }
            try {
                return Class.forName(pluginClasses.getFirst()).asSubclass(McpPlugin.class).getConstructor()
                        .newInstance().name();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create " + pluginClasses.getFirst() + " to ask its name: " + e
                        + "; use set(\"plugins.<name>.<key>\", value)", e);
            }
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
         * Starts the server: plugins loaded and initialized, TCP listening.
         *
         * @throws IllegalStateException when a plugin does not load (the message says why) or the
         *                               configuration is invalid
         */
        public McpTestServer start() {
            List<Path> temporary = new ArrayList<>();
            try {
                Path home = Files.createTempDirectory("mcp-test-server-");
                temporary.add(home);
                Path folder = pluginsDir != null ? pluginsDir : Files.createDirectories(home.resolve("plugins"));
                Path data = dataDir != null ? dataDir : home.resolve("data");
                Map<String, String> settings = new LinkedHashMap<>(config);
                settings.putIfAbsent("plugins.dir", folder.toAbsolutePath().toString());
                settings.putIfAbsent("plugins.data-dir", data.toAbsolutePath().toString());
                EmbeddedServer server = ServerRuntime.starter().start(home, settings, List.copyOf(instances),
                        pluginClasses, pluginClasses.isEmpty() ? List.of() : ServerRuntime.pluginClassPath());
                return new McpTestServer(server, temporary);
            } catch (IOException e) {
                temporary.forEach(ServerRuntime::deleteQuietly);
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                temporary.forEach(ServerRuntime::deleteQuietly);
                throw e;
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
    }
}
