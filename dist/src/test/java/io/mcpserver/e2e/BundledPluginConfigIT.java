package io.mcpserver.e2e;

import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.plugins.PluginConfigScan;
import io.mcpserver.server.plugins.PluginConfigSchema;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.PluginConfigKey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled plugins declare their configuration keys, and the distribution's {@code conf/mcp-server.yaml} and
 * {@code docs/configuration.md} show the same keys and defaults; {@code --check-config} checks a plugin section
 * against its plugin's keys, naming the plugin, and masks the values a plugin declares secret.
 */
class BundledPluginConfigIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern ROW = Pattern.compile(
            "^\\|\\s*`plugins\\.([a-z0-9-]+)\\.([a-z0-9-]+)`\\s*\\|\\s*(.*?)\\s*\\|\\s*(.*?)\\s*\\|\\s*$", Pattern.MULTILINE);

    private static Map<String, PluginConfigSchema> bundled() {
        Map<String, PluginConfigSchema> schemas = PluginConfigScan.of(TestEnv.distHome().resolve("plugins")).schemas();
        assertEquals(Set.of("filesystem", "time", "demo", "interceptors", "conformance"), schemas.keySet());
        schemas.values().forEach(s -> assertTrue(s.declared(), "no keys declared"));
        return schemas;
    }

    @Test
    void theReferenceShowsEveryKeyABundledPluginDeclares() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).resolve("..").normalize();
        String docs = Files.readString(root.resolve("docs/configuration.md"));
        Map<String, String[]> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(docs);
        while (m.find()) {
            if (!m.group(2).equals("enabled") && !Set.of("dir", "data-dir", "watch", "watch-debounce").contains(m.group(1))) {
                rows.put(m.group(1) + "." + m.group(2), new String[]{m.group(3), m.group(4)});
            }
        }
        Set<String> declared = new TreeSet<>();
        bundled().forEach((plugin, schema) -> {
            for (PluginConfigKey key : schema.keys()) {
                String name = plugin + "." + key.name();
                declared.add(name);
                String[] row = rows.get(name);
                assertTrue(row != null, "docs/configuration.md has no row for plugins." + name);
                assertEquals(key.description(), row[1], "meaning of plugins." + name);
                if (key.defaultValue() != null) {
                    assertEquals("`" + key.defaultValue() + "`", row[0], "default of plugins." + name);
                }
            }
        });
        assertEquals(declared, new TreeSet<>(rows.keySet()), "plugin rows of docs/configuration.md vs declared keys");
    }

    @Test
    void theShippedFileSetsTheDeclaredDefaults() {
        Path file = TestEnv.distHome().resolve("conf/mcp-server.yaml");
        var raw = ConfigLoader.load(file, null, Map.of(), Map.of());
        bundled().forEach((plugin, schema) -> {
            PluginConfig section = ServerConfig.pluginConfig(raw, plugin);
            assertEquals(List.of(), schema.problems(section), "plugins." + plugin + " of the shipped file");
            for (PluginConfigKey key : schema.keys()) {
                Object value = section.values().get(key.name());
                if (key.defaultValue() != null) {
                    String shown = value instanceof List<?> l ? l.toString() : String.valueOf(value);
                    assertEquals(key.defaultValue(), shown, "plugins." + plugin + "." + key.name() + " in the shipped file");
                }
            }
        });
    }

    @Test
    void checkConfigRefusesAPluginKeyItDoesNotDeclareAndABadValueNamingThePlugin() throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("check-config-plugin-keys").config("""
                plugins:
                  filesystem:
                    max-read-byte: 5
                  demo:
                    max-sleep-ms: soon
                """).args("--check-config").run(TIMEOUT);
        assertEquals(2, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("plugins.filesystem.max-read-byte: unknown key of plugin filesystem; "
                + "did you mean plugins.filesystem.max-read-bytes?"), result.stderr());
        assertTrue(result.stderr().contains("plugins.demo.max-sleep-ms: must be a whole number, was 'soon'"),
                result.stderr());
    }

    @Test
    void theServerSkipsAPluginWithABadSectionAndSaysWhy() throws Exception {
        try (ServerProcess server = ServerProcess.builder().name("start-plugin-typo").stdio().tcp(false).http(false)
                .config("plugins:\n  filesystem:\n    rots: [/tmp]\n").start()) {
            assertTrue(server.awaitStderr("plugins.filesystem.rots: unknown key of plugin filesystem; did you mean "
                    + "plugins.filesystem.roots?", Duration.ofSeconds(30)), server.stderr());
            assertTrue(server.stderr().contains("Skipping plugin filesystem"), server.stderr());
        }
    }

    @Test
    void checkConfigMasksUndeclaredSecretsAndNamesSectionsOfNoPlugin() throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("check-config-plugin-sections").config("""
                plugins:
                  notes:
                    api-token: tok-123456
                """).args("--check-config").run(TIMEOUT);
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().contains("plugins.notes.api-token = ******"), result.stdout());
        assertFalse(result.stdout().contains("tok-123456"), result.stdout());
        assertTrue(result.stdout().contains("# plugins.notes: no plugin of that name"), result.stdout());
    }
}
