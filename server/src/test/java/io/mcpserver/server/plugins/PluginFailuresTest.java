package io.mcpserver.server.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plugins that fail to load are visible to operators: counted in {@code mcp_plugin_load_failures_total} and listed,
 * with the reason, in {@code /ready}'s details; real JARs in a temporary plugins folder, a real HTTP client.
 */
class PluginFailuresTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path home;

    @Test
    void failedPluginsAreCountedInMetricsAndListedByReady() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        Files.write(plugins.resolve("corrupt.jar"), new byte[]{'P', 'K', 3, 4, 0, 0, 42, 42});
        TestJars.jar(plugins.resolve("broken-init.jar"), Map.of("b.Plugin", """
                package b;
                public class Plugin implements io.mcpserver.spi.McpPlugin {
                    public String name() { return "broken-init"; }
                    public void init(io.mcpserver.spi.PluginContext c) { throw new IllegalStateException("no database"); }
                }
                """), "b.Plugin", "1");
        TestJars.jar(plugins.resolve("good.jar"), Map.of("g.Plugin",
                TestJars.pluginSource("g", "Plugin", "good", "hello", "\"hi\"")), "g.Plugin", "1");
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, """
                transports:
                  tcp:
                    enabled: false
                  http:
                    port: 0
                """);
        ServerConfig config = ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
        McpServer server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        try {
            server.start();
            URI http = URI.create("http://" + server.endpoints().get("http"));

            assertEquals(2.0, failures(get(http.resolve("/metrics")).body()));

            // a failure while running (as the watcher meets it) counts too
            Path late = Files.write(plugins.resolve("late.jar"), new byte[]{'n', 'o'});
            server.plugins().reload(late);
            assertEquals(3.0, failures(get(http.resolve("/metrics")).body()));

            HttpResponse<String> ready = get(http.resolve("/ready"));
            assertEquals(200, ready.statusCode(), "failed plugins do not make the server unready: " + ready.body());
            JsonNode details = Json.parse(ready.body()).path("checks").get(0).path("data");
            assertEquals(1, details.path("plugins").asInt(), ready.body());
            JsonNode failed = details.path("failedPlugins");
            assertTrue(failed.isTextual(), ready.body());
            assertTrue(failed.asText().contains("broken-init: IllegalStateException: no database"), ready.body());
            assertTrue(failed.asText().contains("corrupt.jar: corrupt.jar is not a valid JAR file"), ready.body());
        } finally {
            server.close();
        }
    }

    private static double failures(String metrics) {
        Matcher m = Pattern.compile("^mcp_plugin_load_failures_total(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        assertTrue(m.find(), metrics);
        return Double.parseDouble(m.group(2));
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTransportSectionNoPluginTakesIsReported() throws Exception {
        java.util.List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(McpServer.class.getName());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                log.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, """
                transports:
                  tcp:
                    enabled: false
                  http:
                    enabled: false
                  tpc:
                    port: 9100
                """);
        ServerConfig config = ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
        McpServer server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        try {
            server.start();
            assertTrue(log.contains("transports.tpc configures nothing: no plugin offers a transport of that name "
                    + "(did you mean transports.tcp?)"), log.toString());
        } finally {
            server.close();
            logger.removeHandler(capture);
        }
    }
}
