package io.mcpserver.server.plugins;

import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plugin's declared configuration keys, against real JARs in a temporary plugins folder: unknown keys and bad
 * values refuse the plugin naming it, secrets never appear in the reason, defaults are filled in, sizes and
 * durations parse as in the server's configuration, a reload reads the section again; and {@code close()} is
 * called after a successful {@code init} only.
 */
class PluginConfigSchemaTest {

    @TempDir
    Path plugins;
    @TempDir
    Path data;

    private final FeatureRegistry registry = new FeatureRegistry();
    private final Map<String, Map<String, Object>> configs = new HashMap<>();

    private PluginLoader loader() {
        return new PluginLoader(plugins, data, name -> new PluginConfig(configs.getOrDefault(name, Map.of())),
                registry, uri -> { });
    }

    /** Plugin "cfg" declaring limit (size, default 1MiB), wait (duration), token (secret); tool show prints them. */
    private Path configuredPlugin() throws Exception {
        return TestJars.jar(plugins.resolve("cfg.jar"), Map.of("c.Plugin", """
                package c;

                import io.mcpserver.spi.McpPlugin;
                import io.mcpserver.spi.PluginConfig;
                import io.mcpserver.spi.PluginConfigKey;
                import io.mcpserver.spi.PluginContext;
                import io.mcpserver.spi.tools.Tool;
                import io.mcpserver.spi.tools.ToolDescriptor;
                import io.mcpserver.spi.tools.ToolResult;
                import java.util.List;

                public class Plugin implements McpPlugin {
                    private PluginConfig config;
                    public String name() { return "cfg"; }
                    public List<PluginConfigKey> configKeys() {
                        return List.of(
                            PluginConfigKey.builder("limit", PluginConfigKey.Type.SIZE).defaultValue("1MiB")
                                    .description("largest thing").build(),
                            PluginConfigKey.builder("wait", PluginConfigKey.Type.DURATION).defaultValue("30s").build(),
                            PluginConfigKey.builder("token", PluginConfigKey.Type.STRING).secret(true).build(),
                            PluginConfigKey.builder("count", PluginConfigKey.Type.INTEGER).defaultValue("3").build());
                    }
                    public void init(PluginContext context) { this.config = context.config(); }
                    public List<Tool> tools() {
                        return List.of(Tool.of(ToolDescriptor.builder("show").build(), (args, ctx) -> ToolResult.text(
                                config.size("limit", -1) + " " + config.duration("wait", null) + " "
                                        + config.number("count", -1))));
                    }
                }
                """), "c.Plugin", "1");
    }

    private String show() throws Exception {
        ToolResult r = registry.tool("show").orElseThrow().tool().call(Map.of(), null);
        return ((TextContent) r.content().getFirst()).text();
    }

    @Test
    void declaredDefaultsAreFilledInAndSizesAndDurationsParseAsTheServersDo() throws Exception {
        configuredPlugin();
        configs.put("cfg", Map.of("wait", "500ms"));
        try (PluginLoader loader = loader()) {
            assertEquals(PluginStatus.LOADED, loader.loadAll().getFirst().status());
            assertEquals("1048576 PT0.5S 3", show());
        }
    }

    @Test
    void anUnknownKeyRefusesThePluginWithASuggestion() throws Exception {
        configuredPlugin();
        configs.put("cfg", Map.of("limt", "2MiB"));
        try (PluginLoader loader = loader()) {
            PluginSummary s = loader.loadAll().getFirst();
            assertEquals(PluginStatus.FAILED, s.status(), s.toString());
            assertEquals("cfg", s.name());
            assertTrue(s.reason().contains("plugins.cfg.limt: unknown key of plugin cfg; did you mean plugins.cfg.limit?"),
                    s.reason());
            assertTrue(registry.snapshot().tools().isEmpty());
        }
    }

    @Test
    void badValuesAreRefusedAndASecretIsNeverRepeated() throws Exception {
        configuredPlugin();
        configs.put("cfg", Map.of("limit", "lots", "wait", "soon", "token", List.of("s3cr3t-value"),
                "count", "many"));
        try (PluginLoader loader = loader()) {
            PluginSummary s = loader.loadAll().getFirst();
            assertEquals(PluginStatus.FAILED, s.status(), s.toString());
            assertTrue(s.reason().contains("plugins.cfg.limit: must be a size"), s.reason());
            assertTrue(s.reason().contains("plugins.cfg.wait: must be a duration"), s.reason());
            assertTrue(s.reason().contains("plugins.cfg.count: must be a whole number, was 'many'"), s.reason());
            assertTrue(s.reason().contains("plugins.cfg.token: must be a single value"), s.reason());
            assertFalse(s.reason().contains("s3cr3t"), s.reason());
        }
        configs.put("cfg", Map.of("count", "x", "token", "t"));
        PluginConfigSchema schema = PluginConfigScan.of(plugins).schemas().get("cfg");
        assertTrue(schema.isSecret("token"));
        List<String> problems = schema.problems(new PluginConfig(Map.of("count", "s3cr3t")));
        assertEquals(List.of("plugins.cfg.count: must be a whole number, was 's3cr3t'"), problems);
        assertFalse(String.join("", schema.problems(new PluginConfig(Map.of("token", Map.of("a", "s3cr3t")))))
                .contains("s3cr3t"));
    }

    @Test
    void aReloadReadsThePluginsSectionAgain() throws Exception {
        Path jar = configuredPlugin();
        configs.put("cfg", Map.of("count", "1"));
        try (PluginLoader loader = loader()) {
            loader.loadAll();
            assertEquals("1048576 PT30S 1", show());
            configs.put("cfg", Map.of("count", "2", "limit", "4KiB"));
            List<PluginSummary> reloaded = loader.reload(jar);
            assertEquals(PluginStatus.LOADED, reloaded.getFirst().status(), reloaded.toString());
            assertEquals("4096 PT30S 2", show());

            configs.put("cfg", Map.of("count", "two"));
            PluginSummary refused = loader.reload(jar).getFirst();
            assertEquals(PluginStatus.FAILED, refused.status());
            assertTrue(refused.reason().contains("plugins.cfg.count: must be a whole number"), refused.reason());
            assertEquals("4096 PT30S 2", show(), "a refused configuration keeps the running version");
        }
    }

    @Test
    void closeFollowsASuccessfulInitOnlyAndFailuresAreListed() throws Exception {
        TestJars.jar(plugins.resolve("initfails.jar"), Map.of("i.Plugin", """
                package i;
                import java.nio.file.Files;
                public class Plugin implements io.mcpserver.spi.McpPlugin {
                    private io.mcpserver.spi.PluginContext context;
                    public String name() { return "initfails"; }
                    public void init(io.mcpserver.spi.PluginContext c) {
                        this.context = c;
                        throw new IllegalStateException("no database");
                    }
                    public void close() throws Exception {
                        Files.writeString(context.dataDirectory().resolve("closed"), "closed");
                    }
                }
                """), "i.Plugin", "1");
        TestJars.jar(plugins.resolve("toolsfail.jar"), Map.of("t.Plugin", """
                package t;
                import java.nio.file.Files;
                public class Plugin implements io.mcpserver.spi.McpPlugin {
                    private io.mcpserver.spi.PluginContext context;
                    public String name() { return "toolsfail"; }
                    public void init(io.mcpserver.spi.PluginContext c) { this.context = c; }
                    public java.util.List<io.mcpserver.spi.tools.Tool> tools() { throw new IllegalStateException("bad tools"); }
                    public void close() throws Exception {
                        Files.writeString(context.dataDirectory().resolve("closed"), "closed");
                    }
                }
                """), "t.Plugin", "1");
        try (PluginLoader loader = loader()) {
            loader.loadAll();
            assertFalse(Files.exists(data.resolve("initfails/closed")), "close() after a failed init");
            assertTrue(Files.exists(data.resolve("toolsfail/closed")), "no close() after a successful init");
            assertEquals(List.of("initfails", "toolsfail"), loader.failures().stream().map(PluginSummary::name).toList());
            assertEquals(2, loader.loadFailures());

            Files.delete(plugins.resolve("initfails.jar"));
            loader.unloadSource(plugins.resolve("initfails.jar"));
            assertEquals(List.of("toolsfail"), loader.failures().stream().map(PluginSummary::name).toList(),
                    "a removed source is no longer a failure");
        }
    }
}
