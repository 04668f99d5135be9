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
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up order a client relies on (issue 14): no
 * listener accepts before every plugin is loaded, so the first tools/list lists them all; and the plugins found at
 * start-up read the configuration the server was made from, while a later load reads the file as it is then.
 */
class ServerStartTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path home;

    @Test
    void noListenerAcceptsBeforeEveryPluginIsLoadedAndTheFirstToolsListListsThemAll() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        Path started = home.resolve("init-started");
        Path release = home.resolve("init-may-end");
        // a plugin whose init waits for the test: the listeners are built meanwhile, but must not be bound
        TestJars.jar(plugins.resolve("slow.jar"), Map.of("s.Plugin", """
                package s;
                import io.mcpserver.spi.tools.*;
                import java.nio.file.*;
                public class Plugin implements io.mcpserver.spi.McpPlugin {
                    public String name() { return "slow"; }
                    public void init(io.mcpserver.spi.PluginContext c) throws Exception {
                        Files.writeString(Path.of("%s"), "");
                        long deadline = System.nanoTime() + 60_000_000_000L;
                        while (!Files.exists(Path.of("%s")) && System.nanoTime() < deadline) {
                            Thread.sleep(10);
                        }
                    }
                    public java.util.List<Tool> tools() {
                        return java.util.List.of(Tool.of(ToolDescriptor.builder("slow_tool").build(),
                                (args, ctx) -> ToolResult.text("ok")));
                    }
                }
                """.formatted(started, release)), "s.Plugin", "1");
        TestJars.jar(plugins.resolve("good.jar"), Map.of("g.Plugin",
                TestJars.pluginSource("g", "Plugin", "good", "hello", "\"hi\"")), "g.Plugin", "1");
        int httpPort = freePort();
        int tcpPort = freePort();
        ServerConfig config = config("""
                transports:
                  tcp:
                    port: %d
                  http:
                    port: %d
                """.formatted(tcpPort, httpPort));
        McpServer server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        try {
            CompletableFuture<McpServer> starting = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(started) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(started), "the slow plugin's init never ran");
            // a while for anything that would listen too early; neither listener may accept meanwhile
            Thread.sleep(1500);
            assertRefused(httpPort);
            assertRefused(tcpPort);
            assertTrue(!server.isReady());

            Files.writeString(release, "");
            starting.get(60, TimeUnit.SECONDS);

            List<String> tools = firstToolsList(URI.create("http://127.0.0.1:" + httpPort + "/mcp"));
            assertEquals(List.of("hello", "slow_tool"), tools);
        } finally {
            Files.writeString(release, "");
            server.close();
        }
    }

    @Test
    void pluginsAtStartUpReadTheConfigurationTheServerWasMadeWithAndALaterLoadReadsTheFileAgain() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        for (String name : List.of("one", "two", "three")) {
            TestJars.jar(plugins.resolve(name + ".jar"), Map.of(name + ".Plugin",
                    TestJars.pluginSource(name, "Plugin", name, "tool_" + name, "\"hi\"")), name + ".Plugin", "1");
        }
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, """
                transports:
                  tcp:
                    enabled: false
                  http:
                    enabled: false
                """);
        ServerConfig config = ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
        AtomicInteger reads = new AtomicInteger();
        McpServer server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                () -> {
                    reads.incrementAndGet();
                    return ConfigLoader.load(file, null, Map.of(), Map.of());
                });
        try {
            server.start();
            assertEquals(0, reads.get(), "the file was read again for a plugin found at start-up");
            assertEquals(3, server.plugins().loaded().size());

            Files.writeString(file, """
                    transports:
                      tcp:
                        enabled: false
                      http:
                        enabled: false
                    plugins:
                      two:
                        enabled: false
                    """);
            server.plugins().reload(plugins.resolve("two.jar"));
            assertTrue(reads.get() > 0, "a reload reads the file as it is now");
            assertEquals(PluginStatus.DISABLED, server.plugins().current().stream()
                    .filter(s -> s.name().equals("two")).findFirst().orElseThrow().status());
        } finally {
            server.close();
        }
    }

    private ServerConfig config(String yaml) throws IOException {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
    }

    private static void assertRefused(int port) {
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(0);
            }
        }, "port " + port + " accepted a connection before the plugins were loaded");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** initialize, notifications/initialized, tools/list as a client does on connecting: the tool names. */
    private static List<String> firstToolsList(URI mcp) throws Exception {
        HttpResponse<String> init = post(mcp, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                "capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""");
        assertEquals(200, init.statusCode(), init.body());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        post(mcp, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        HttpResponse<String> list = post(mcp, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
        assertEquals(200, list.statusCode(), list.body());
        JsonNode tools = Json.parse(list.body()).path("result").path("tools");
        return StreamSupport.stream(tools.spliterator(), false).map(t -> t.path("name").asText()).toList();
    }

    private static HttpResponse<String> post(URI uri, String session, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("MCP-Protocol-Version", "2025-06-18");
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
