package io.mcpserver.server.plugins;

import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader against real JARs in a temporary plugins folder. */
class PluginLoaderTest {

    @TempDir
    Path plugins;
    @TempDir
    Path data;

    private final FeatureRegistry registry = new FeatureRegistry();

    private PluginLoader loader(Map<String, Map<String, Object>> configs) {
        return new PluginLoader(plugins, data, name -> new PluginConfig(configs.getOrDefault(name, Map.of())),
                registry, uri -> { });
    }

    private Path goodPlugin(String file, String name, String tool, String answer) throws Exception {
        String cls = "p" + name.replace("-", "") + ".Plugin";
        return TestJars.jar(plugins.resolve(file),
                Map.of(cls, TestJars.pluginSource(cls.substring(0, cls.indexOf('.')), "Plugin", name, tool,
                        "\"" + answer + "\"")), cls, "1");
    }

    private static String call(FeatureRegistry registry, String tool) throws Exception {
        ToolResult r = registry.tool(tool).orElseThrow().tool().call(Map.of(), null);
        return ((TextContent) r.content().getFirst()).text();
    }

    private static PluginSummary only(List<PluginSummary> summaries, String file) {
        return summaries.stream().filter(s -> s.source().getFileName().toString().equals(file)).findFirst()
                .orElseThrow(() -> new AssertionError("no summary for " + file + " in " + summaries));
    }

    @Test
    void goodPluginIsLoadedAndItsToolAnswers() throws Exception {
        goodPlugin("good.jar", "good", "hello", "hi there");
        try (PluginLoader loader = loader(Map.of())) {
            PluginSummary s = only(loader.loadAll(), "good.jar");
            assertEquals(PluginStatus.LOADED, s.status());
            assertEquals(List.of("hello"), s.tools());
            assertEquals("hi there", call(registry, "hello"));
        }
    }

    @Test
    void brokenPluginsAreSkippedWithAReasonAndTheRestStillLoads() throws Exception {
        goodPlugin("a-good.jar", "good", "hello", "hi");
        Files.write(plugins.resolve("corrupt.jar"), new byte[]{'P', 'K', 3, 4, 0, 0, 42, 42, 42});
        TestJars.jar(plugins.resolve("noprovider.jar"), Map.of("x.Lonely", "package x; public class Lonely {}"),
                null, "1");
        TestJars.jar(plugins.resolve("throws.jar"), Map.of("t.Plugin", """
                package t;
                public class Plugin implements io.mcpserver.spi.McpPlugin {
                    public Plugin() { throw new IllegalStateException("boom in constructor"); }
                    public String name() { return "throws"; }
                }
                """), "t.Plugin", "1");
        TestJars.jar(plugins.resolve("future.jar"), Map.of("f.Plugin", TestJars.pluginSource("f", "Plugin", "future",
                "future_tool", "1")), "f.Plugin", "2");
        TestJars.jar(plugins.resolve("initfails.jar"), Map.of("i.Plugin", """
                package i;
                public class Plugin implements io.mcpserver.spi.McpPlugin {
                    public String name() { return "initfails"; }
                    public void init(io.mcpserver.spi.PluginContext c) { throw new IllegalArgumentException("no config"); }
                }
                """), "i.Plugin", "1");

        try (PluginLoader loader = loader(Map.of())) {
            List<PluginSummary> all = loader.loadAll();
            assertEquals(PluginStatus.LOADED, only(all, "a-good.jar").status());
            assertFailed(only(all, "corrupt.jar"), "not a valid JAR");
            assertFailed(only(all, "noprovider.jar"), "no provider of io.mcpserver.spi.McpPlugin");
            assertFailed(only(all, "throws.jar"), "boom in constructor");
            assertFailed(only(all, "future.jar"), "built for SPI version 2");
            assertFailed(only(all, "initfails.jar"), "no config");
            assertEquals(List.of("hello"), List.copyOf(registry.snapshot().tools().keySet()));
        }
    }

    @Test
    void duplicateToolNameSkipsTheSecondPluginWhole() throws Exception {
        goodPlugin("a.jar", "first", "same", "from first");
        goodPlugin("b.jar", "second", "same", "from second");
        try (PluginLoader loader = loader(Map.of())) {
            List<PluginSummary> all = loader.loadAll();
            assertEquals(PluginStatus.LOADED, only(all, "a.jar").status());
            assertFailed(only(all, "b.jar"), "duplicate tool name 'same' (already provided by plugin first)");
            assertEquals("from first", call(registry, "same"));
        }
    }

    @Test
    void twoPluginsBundlingDifferentVersionsOfAClassEachSeeTheirOwn() throws Exception {
        Path lib1 = TestJars.jar(plugins.resolveSibling("lib-v1.jar"),
                Map.of("com.example.shared.Lib", "package com.example.shared; public class Lib { public static String version() { return \"1.0\"; } }"),
                null, null);
        Path lib2 = TestJars.jar(plugins.resolveSibling("lib-v2.jar"),
                Map.of("com.example.shared.Lib", "package com.example.shared; public class Lib { public static String version() { return \"2.0\"; } }"),
                null, null);
        Path dirOne = Files.createDirectories(plugins.resolve("one"));
        Path dirTwo = Files.createDirectories(plugins.resolve("two"));
        TestJars.jar(dirOne.resolve("one.jar"), Map.of("one.Plugin", TestJars.pluginSource("one", "Plugin", "one",
                "lib_one", "com.example.shared.Lib.version()")), "one.Plugin", "1", lib1);
        TestJars.jar(dirTwo.resolve("two.jar"), Map.of("two.Plugin", TestJars.pluginSource("two", "Plugin", "two",
                "lib_two", "com.example.shared.Lib.version()")), "two.Plugin", "1", lib2);
        Files.copy(lib1, dirOne.resolve("lib.jar"));
        Files.copy(lib2, dirTwo.resolve("lib.jar"));

        try (PluginLoader loader = loader(Map.of())) {
            List<PluginSummary> all = loader.loadAll();
            assertTrue(all.stream().allMatch(s -> s.status() == PluginStatus.LOADED), all.toString());
            assertEquals("1.0", call(registry, "lib_one"));
            assertEquals("2.0", call(registry, "lib_two"));
        }
    }

    @Test
    void pluginsCannotSeeTheServersLibraries() throws Exception {
        TestJars.jar(plugins.resolve("peek.jar"), Map.of("peek.Plugin", TestJars.pluginSource("peek", "Plugin", "peek",
                "peek", "canSee()") .replace("public String name()", """
                static String canSee() {
                        try { Class.forName("com.fasterxml.jackson.databind.ObjectMapper"); return "visible"; }
                        catch (ClassNotFoundException e) { return "hidden"; }
                    }
                    public String name()""")), "peek.Plugin", "1");
        try (PluginLoader loader = loader(Map.of())) {
            loader.loadAll();
            assertEquals("hidden", call(registry, "peek"));
        }
    }

    @Test
    void disabledPluginIsNotLoadedAndUnloadRemovesTools() throws Exception {
        goodPlugin("a.jar", "alpha", "alpha_tool", "a");
        goodPlugin("b.jar", "beta", "beta_tool", "b");
        try (PluginLoader loader = loader(Map.of("beta", Map.of("enabled", "false")))) {
            List<PluginSummary> all = loader.loadAll();
            assertEquals(PluginStatus.DISABLED, only(all, "b.jar").status());
            assertEquals(List.of("alpha_tool"), List.copyOf(registry.snapshot().tools().keySet()));
            assertTrue(loader.unload("alpha"));
            assertTrue(registry.snapshot().tools().isEmpty());
        }
    }

    private static void assertFailed(PluginSummary s, String reasonPart) {
        assertEquals(PluginStatus.FAILED, s.status(), s.toString());
        assertTrue(s.reason().contains(reasonPart), "reason '" + s.reason() + "' should contain '" + reasonPart + "'");
    }
}
