package io.mcpserver.testkit.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.helidon.config.Config;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.plugins.PluginSummary;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.testkit.bridge.EmbeddedServer;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kit's server side: runs in the kit's server class loader (the server's JARs, nothing of the test's class
 * path but the SPI), never on the test's class path.
 */
public final class KitServer implements EmbeddedServer {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final McpServer server;

    private KitServer(McpServer server) {
        this.server = server;
    }

    /** Reached by reflection from {@code McpTestServer}. */
    public static final class Starter implements EmbeddedServer.Starter {

        @Override
        public EmbeddedServer start(Path home, Map<String, String> config, List<Object> pluginInstances,
                                    List<String> pluginClasses, List<Path> pluginClassPath) {
            McpServer server = null;
            Thread thread = Thread.currentThread();
            ClassLoader caller = thread.getContextClassLoader();
            // Helidon finds its services through the context class loader; threads started here inherit it.
            thread.setContextClassLoader(KitServer.class.getClassLoader());
            try {
                // No file, no environment: a test sees only what it set.
                Config raw = ConfigLoader.load(null, null, config, Map.of());
                ServerConfig serverConfig = ServerConfig.from(raw, home, null, "test");
                server = new McpServer(serverConfig, InputStream.nullInputStream(), OutputStream.nullOutputStream());
                List<PluginSummary> summaries = new ArrayList<>();
                for (Object plugin : pluginInstances) {
                    summaries.add(server.plugins().register((McpPlugin) plugin));
                }
                if (!pluginClasses.isEmpty()) {
                    summaries.addAll(server.plugins().loadClasses(pluginClassPath, pluginClasses));
                }
                for (PluginSummary summary : summaries) {
                    if (summary.status() != io.mcpserver.server.plugins.PluginStatus.LOADED) {
                        String name = summary.name() == null ? String.valueOf(summary.source()) : summary.name();
                        throw new IllegalStateException("plugin " + name + " was not loaded: " + summary.reason()
                                + (summary.status() == io.mcpserver.server.plugins.PluginStatus.DISABLED ? " (set(\"plugins." + summary.name()
                                + ".enabled\", true) turns it on)" : ""));
                    }
                }
                server.start();
                return new KitServer(server);
            } catch (RuntimeException e) {
                closeQuietly(server);
                throw e instanceof IllegalStateException ? e
                        : new IllegalStateException("the server did not start: " + e.getMessage(), e);
            } catch (Exception e) {
                closeQuietly(server);
                throw new IllegalStateException("the server did not start: " + e.getMessage(), e);
            } finally {
                thread.setContextClassLoader(caller);
            }
        }
    }

    private static void closeQuietly(McpServer server) {
        if (server != null) {
            server.close();
        }
    }

    @Override
    public String tcpAddress() {
        String endpoint = server.endpoints().get("tcp");
        if (endpoint == null) {
            throw new IllegalStateException("the TCP transport is not running: " + server.endpoints());
        }
        return endpoint.replaceFirst("^[a-z]+://", "");
    }

    @Override
    public Path pluginsDir() {
        return server.config().plugins().dir();
    }

    @Override
    public Path dataDir() {
        return server.config().plugins().dataDir();
    }

    @Override
    public String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON-able: " + value, e);
        }
    }

    @Override
    public Object parseJson(String text) {
        try {
            return JSON.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
