package io.mcpserver.testkit;

import io.mcpserver.server.plugins.TestJars;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runtime reload ({@code plugins.watch: true}) as a client sees it: real JARs copied into, replaced in
 * and removed from the plugins folder of a running server, a real client on its TCP transport.
 */
class PluginWatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOOLS_CHANGED = "notifications/tools/list_changed";

    @TempDir
    Path plugins;
    @TempDir
    Path staging;
    @TempDir
    Path data;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Logger pluginLogs = Logger.getLogger("io.mcpserver.server.plugins");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            log.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        pluginLogs.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        pluginLogs.removeHandler(capture);
    }

    private McpTestServer watchingServer() {
        return McpTestServer.with().pluginsDir(plugins).dataDir(data)
                .set("plugins.watch", true)
                .set("plugins.watch-debounce", "200ms")
                .start();
    }

    /**
     * A plugin "reloadable": {@code hello} answers {@code answer}; {@code slow} reports progress, waits until the
     * test writes {@code release} into the plugin's data directory (never longer than a minute), then loads a class it never touched before (which fails once its class loader is
     * closed); {@code close()} leaves a marker in the data directory.
     */
    private Path reloadableJar(String file, String answer) throws Exception {
        return TestJars.jar(staging.resolve(file), Map.of("r.Plugin", """
                package r;

                import io.mcpserver.spi.McpPlugin;
                import io.mcpserver.spi.PluginContext;
                import io.mcpserver.spi.tools.Tool;
                import io.mcpserver.spi.tools.ToolDescriptor;
                import io.mcpserver.spi.tools.ToolResult;
                import java.nio.file.Files;
                import java.util.List;

                public class Plugin implements McpPlugin {
                    private PluginContext context;
                    public String name() { return "reloadable"; }
                    public void init(PluginContext context) { this.context = context; }
                    public List<Tool> tools() {
                        return List.of(
                            Tool.of(ToolDescriptor.builder("hello").description("says which version").build(),
                                    (args, ctx) -> ToolResult.text("%s")),
                            Tool.of(ToolDescriptor.builder("slow").build(),
                                    (args, ctx) -> {
                                        ctx.progress(0, null, "started");
                                        long deadline = System.nanoTime() + 60_000_000_000L;
                                        while (!Files.exists(context.dataDirectory().resolve("release"))
                                                && System.nanoTime() < deadline) {
                                            Thread.sleep(10);
                                        }
                                        Object late = Class.forName("r.Late", true, Plugin.class.getClassLoader())
                                                .getDeclaredConstructor().newInstance();
                                        return ToolResult.text(late.toString());
                                    }));
                    }
                    public void close() throws Exception {
                        Files.writeString(context.dataDirectory().resolve("closed-%s"), "closed");
                    }
                }
                """.formatted(answer, answer),
                "r.Late", """
                package r;
                public class Late {
                    public String toString() { return "finished with a class loaded late"; }
                }
                """), "r.Plugin", "1");
    }

    /** Copies to a hidden name, then renames: how a deploy replaces a file without a half-written moment. */
    private void deploy(Path jar, String name) throws Exception {
        Path temp = plugins.resolve("." + name + ".tmp");
        Files.copy(jar, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, plugins.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void awaitLog(String part) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (log.stream().noneMatch(m -> m != null && m.contains(part))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no log line containing '" + part + "'; log: " + log);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aJarCopiedInIsLoadedAndARemovedOneUnloadedAfterItsRunningCallFinished() throws Exception {
        try (McpTestServer server = watchingServer(); McpTestClient client = server.client()) {
            assertEquals(List.of(), client.toolNames());

            Files.copy(reloadableJar("reloadable.jar", "v1"), plugins.resolve("reloadable.jar"));
            client.awaitNotification(TOOLS_CHANGED, WAIT);
            assertEquals(List.of("hello", "slow"), client.toolNames());
            assertEquals("v1", client.callTool("hello", Map.of()).text());

            McpTestClient.PendingCall slow = client.startToolCall("slow", Map.of());
            client.awaitNotification("notifications/progress", WAIT); // it is running
            Files.delete(plugins.resolve("reloadable.jar"));
            client.awaitNotification(TOOLS_CHANGED, WAIT);
            assertEquals(List.of(), client.toolNames(), "tools leave the list at once");
            McpTestClient.McpError unknown = assertThrows(McpTestClient.McpError.class,
                    () -> client.callTool("hello", Map.of()));
            assertEquals(-32602, unknown.code());
            assertFalse(Files.exists(data.resolve("reloadable/closed-v1")), "closed while its call was running");
            assertFalse(slow.isDone(), "the call still runs");
            Files.writeString(data.resolve("reloadable/release"), "go");

            ToolCallResult result = slow.result();
            assertFalse(result.isError(), "the running call must finish normally: " + result);
            assertEquals("finished with a class loaded late", result.text());
            awaitFile(data.resolve("reloadable/closed-v1"));
        }
    }

    @Test
    void aReplacedJarSwapsThePluginAndAFailingReplacementKeepsTheOldOne() throws Exception {
        deploy(reloadableJar("v1.jar", "v1"), "reloadable.jar");
        try (McpTestServer server = watchingServer(); McpTestClient client = server.client()) {
            assertEquals("v1", client.callTool("hello", Map.of()).text());

            deploy(reloadableJar("v2.jar", "v2"), "reloadable.jar");
            client.awaitNotification(TOOLS_CHANGED, WAIT);
            assertEquals("v2", client.callTool("hello", Map.of()).text());
            awaitFile(data.resolve("reloadable/closed-v1"));

            // a corrupt file in its place: nothing changes, the log says why
            Path corrupt = staging.resolve("corrupt.jar");
            Files.write(corrupt, new byte[]{'P', 'K', 3, 4, 0, 0, 42, 42, 42});
            deploy(corrupt, "reloadable.jar");
            awaitLog("not a valid JAR file");
            awaitLog("keeping the loaded reloadable");
            assertEquals("v2", client.callTool("hello", Map.of()).text());

            // a JAR whose plugin fails in init: the same
            Path failing = TestJars.jar(staging.resolve("failing.jar"), Map.of("f.Plugin", """
                    package f;
                    public class Plugin implements io.mcpserver.spi.McpPlugin {
                        public String name() { return "reloadable"; }
                        public void init(io.mcpserver.spi.PluginContext c) { throw new IllegalStateException("v3 is broken"); }
                    }
                    """), "f.Plugin", "1");
            deploy(failing, "reloadable.jar");
            awaitLog("v3 is broken");
            assertEquals("v2", client.callTool("hello", Map.of()).text());
            assertTrue(client.noNotification(TOOLS_CHANGED, Duration.ofMillis(300)), "no list change for a failed reload");
        }
    }

    @Test
    void aBrokenJarDroppedInChangesNothingAndSaysWhy() throws Exception {
        deploy(reloadableJar("v1.jar", "v1"), "reloadable.jar");
        try (McpTestServer server = watchingServer(); McpTestClient client = server.client()) {
            Files.write(plugins.resolve("broken.jar"), new byte[]{'n', 'o', 't', ' ', 'a', ' ', 'j', 'a', 'r'});
            awaitLog("broken.jar: broken.jar is not a valid JAR file");
            // same name as a loaded plugin: refused, the loaded one stays
            Files.copy(reloadableJar("other.jar", "impostor"), plugins.resolve("other.jar"));
            awaitLog("duplicate plugin name 'reloadable'");

            assertEquals(List.of("hello", "slow"), client.toolNames());
            assertEquals("v1", client.callTool("hello", Map.of()).text());
            assertTrue(client.noNotification(TOOLS_CHANGED, Duration.ofMillis(300)), "nothing changed");
        }
    }

    @Test
    void aPluginDirectoryWithItsLibraryComesAndGoes() throws Exception {
        Path lib = TestJars.jar(staging.resolve("lib.jar"), Map.of("com.example.lib.Words",
                "package com.example.lib; public class Words { public static String hi() { return \"hi from lib\"; } }"),
                null, null);
        Path pluginJar = TestJars.jar(staging.resolve("withlib.jar"), Map.of("w.Plugin", TestJars.pluginSource("w",
                "Plugin", "withlib", "lib_hello", "com.example.lib.Words.hi()")), "w.Plugin", "1", lib);
        try (McpTestServer server = watchingServer(); McpTestClient client = server.client()) {
            Path dir = plugins.resolve("withlib");
            Path building = staging.resolve("withlib-dir");
            Files.createDirectories(building);
            Files.copy(lib, building.resolve("lib.jar"));
            Files.copy(pluginJar, building.resolve("withlib.jar"));
            Files.move(building, dir, StandardCopyOption.ATOMIC_MOVE);
            client.awaitNotification(TOOLS_CHANGED, WAIT);
            assertEquals("hi from lib", client.callTool("lib_hello", Map.of()).text());

            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
            client.awaitNotification(TOOLS_CHANGED, WAIT);
            assertEquals(List.of(), client.toolNames());
        }
    }

    @Test
    void aPluginsDirectoryThatDisappearsStopsTheWatchingNotTheServer() throws Exception {
        deploy(reloadableJar("v1.jar", "v1"), "reloadable.jar");
        try (McpTestServer server = watchingServer(); McpTestClient client = server.client()) {
            assertEquals("v1", client.callTool("hello", Map.of()).text());
            try (var files = Files.list(plugins)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(plugins);
            awaitLog("is gone; runtime reload stops");
            // the JAR's removal may or may not be applied before the watcher stops: either way the server serves on
            client.ping();
            List<String> tools = client.toolNames();
            assertTrue(tools.equals(List.of()) || tools.equals(List.of("hello", "slow")), tools.toString());
            try (McpTestClient other = server.client()) {
                assertEquals(tools, other.toolNames(), "new clients are served the same");
            }
        }
    }

    @Test
    void aPluginDirectorySwappedByRenameIsReloadedOnce() throws Exception {
        Path v1 = plugins.resolve("reloadable");
        Files.createDirectories(v1);
        Files.copy(reloadableJar("v1.jar", "v1"), v1.resolve("plugin.jar"));
        try (McpTestServer server = watchingServer(); McpTestClient client = server.client()) {
            assertEquals("v1", client.callTool("hello", Map.of()).text());

            // how a deploy swaps a directory: build the new one under a hidden name, rename the old one away,
            // rename the new one in, then delete the old one
            Path next = Files.createDirectories(plugins.resolve(".reloadable.new"));
            Files.copy(reloadableJar("v2.jar", "v2"), next.resolve("plugin.jar"));
            Path old = plugins.resolve(".reloadable.old");
            Files.move(v1, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(next, v1, StandardCopyOption.ATOMIC_MOVE);
            client.awaitNotification(TOOLS_CHANGED, WAIT);
            assertEquals("v2", client.callTool("hello", Map.of()).text());
            awaitLog("Replaced plugin reloadable");
            try (var files = Files.list(old)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(old);

            assertTrue(client.noNotification(TOOLS_CHANGED, Duration.ofMillis(1500)), "reloaded again: " + log);
            assertEquals(1, log.stream().filter(m -> m != null && m.startsWith("Reloading ")).count(), log.toString());
            assertEquals("v2", client.callTool("hello", Map.of()).text());
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not appear");
            }
            Thread.sleep(20);
        }
    }
}
