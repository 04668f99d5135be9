package io.mcpserver.server.config;

import io.helidon.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The declarations in {@link ConfigKeys} are the one place a key and its default live: the shipped YAML and the
 * reference must show the same names, defaults and lines, every declared key is read, and a key that is not
 * declared is refused wherever it comes from, with a suggestion.
 */
class ConfigKeysTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("..").normalize();
    /** {@code | `key` | default | meaning |} */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z][a-z0-9.-]*)`\\s*\\|\\s*(.*?)\\s*\\|\\s*(.*?)\\s*\\|\\s*$",
            Pattern.MULTILINE);

    @TempDir
    Path home;

    private static Map<String, ConfigKey> declared() {
        Map<String, ConfigKey> keys = new TreeMap<>();
        ConfigKeys.all().forEach(k -> keys.put(k.name(), k));
        return keys;
    }

    /** Plugin sections are declared by the plugins themselves (see the bundled plugins' tests). */
    private static boolean isServerKey(String key) {
        return !key.startsWith("plugins.") || Set.of("plugins.dir", "plugins.data-dir", "plugins.watch",
                "plugins.watch-debounce").contains(key);
    }

    @Test
    void theReferenceShowsEveryDeclaredKeyWithItsDefaultAndLine() throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(Files.readString(ROOT.resolve("docs/configuration.md")));
        while (m.find()) {
            if (isServerKey(m.group(1))) {
                rows.put(m.group(1), new String[]{m.group(2), m.group(3)});
            }
        }
        assertEquals(declared().keySet(), new TreeSet<>(rows.keySet()), "docs/configuration.md rows vs ConfigKeys");
        for (ConfigKey key : ConfigKeys.all()) {
            String[] row = rows.get(key.name());
            assertEquals(key.shownDefault(), row[0], "default column of " + key.name());
            assertEquals(key.doc(), row[1], "meaning column of " + key.name());
            assertEquals(key.secret(), row[1].endsWith("Secret"), key.name() + ": the reference says Secret iff declared");
        }
    }

    @Test
    void theShippedFileHasEveryDeclaredKeyWithItsDefault() throws IOException {
        Map<String, String> inFile = ConfigurationDocTest.yamlEntries(Files.readAllLines(ROOT.resolve("conf/mcp-server.yaml")))
                .entrySet().stream().filter(e -> isServerKey(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()), (a, b) -> a, TreeMap::new));
        assertEquals(declared().keySet(), inFile.keySet(), "conf/mcp-server.yaml keys vs ConfigKeys");
        for (ConfigKey key : ConfigKeys.all()) {
            if (key.defaultValue() != null) {
                assertEquals(key.defaultValue(), inFile.get(key.name()), "value of " + key.name() + " in the shipped file");
            }
        }
    }

    @Test
    void everyDeclaredKeyIsReadAndDefaultsParse() {
        ConfigReader r = new ConfigReader(Config.empty());
        ServerConfig.read(r, Config.empty(), home, null, "test");
        r.choice("logging.format"); // read by Main before logging starts
        r.integer("server.carrier-threads"); // read by Main before the server starts its first virtual thread
        Set<String> unread = new TreeSet<>(declared().keySet());
        unread.removeAll(r.keysRead());
        assertEquals(Set.of(), unread, "declared but never read");
        assertEquals(java.util.List.of(), r.problems());
    }

    @Test
    void anUnknownKeyIsRefusedWithASuggestion() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("security:\n  enable: true\n", Map.of(), Map.of()));
        assertEquals(java.util.List.of("security.enable: unknown key; did you mean security.enabled?"), e.problems());
    }

    @Test
    void unknownKeysFromTheEnvironmentAndFlagsAreRefusedToo() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("", Map.of("protocol.page-sise", "5"),
                Map.of("MCP_TRANSPORTS_TCP_PROT", "9100")));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("protocol.page-sise: unknown key; did you mean protocol.page-size?"), all);
        assertTrue(all.contains("transports.tcp.prot: unknown key; did you mean transports.tcp.port?"), all);
    }

    @Test
    void otherProgramsMcpVariablesAreIgnoredButATypoInOurSectionsIsNot() throws IOException {
        // an AI client's own variables (MCP_TIMEOUT, MCP_TOOL_TIMEOUT) in the environment of the server it starts
        ServerConfig config = load("", Map.of(), Map.of("MCP_TIMEOUT", "30000", "MCP_TOOL_TIMEOUT", "5",
                "MCP_TRANSPORTS_TCP_PORT", "4100"));
        assertEquals(4100, config.tcp().port());
        assertTrue(ConfigLoader.fromEnvironment(Map.of("MCP_TIMEOUT", "1", "MCP_PROTOCOL_PAGE__SIZE", "7"))
                .equals(Map.of("protocol.page-size", "7")));
        assertThrows(ConfigException.class, () -> load("", Map.of(), Map.of("MCP_TIMEOUT", "1",
                "MCP_PROTOCOL_PAGE__SISE", "7")));
    }

    @Test
    void aMisspelledSectionIsOneProblemAndFarOffNamesGetNoSuggestion() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("securty:\n  enabled: true\n  jwt:\n    issuer: x\nwhatever: 1\n", Map.of(), Map.of()));
        assertEquals(java.util.List.of("securty: unknown key; did you mean security?", "whatever: unknown key"),
                e.problems());
    }

    @Test
    void pluginSectionsAndPluginTransportsAreLeftToTheirPlugins() throws Exception {
        ServerConfig c = load("""
                plugins:
                  watch: true
                  anything:
                    some-key: 1
                  empty:
                transports:
                  serial:
                    enabled: true
                    device: /dev/ttyS0
                security:
                  rules:
                    tools:
                      - match: "x_*"
                        scopes: [a]
                """, Map.of(), Map.of());
        assertTrue(c.plugins().watch());
    }

    @Test
    void aRuleWithAnUnknownFieldIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                security:
                  rules:
                    tools:
                      - match: "x_*"
                        scope: [a]
                """, Map.of(), Map.of()));
        assertEquals(java.util.List.of("security.rules.tools.0.scope: unknown key; a rule has [match, roles, scopes]"),
                e.problems());
    }

    @Test
    void aScalarWhereAPluginSectionBelongsIsAnUnknownKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("plugins:\n  wach: true\n", Map.of(), Map.of()));
        assertEquals(java.util.List.of("plugins.wach: unknown key; did you mean plugins.watch?"), e.problems());
    }

    private ServerConfig load(String yaml, Map<String, String> flags, Map<String, String> env) throws IOException {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.from(ConfigLoader.load(file, null, flags, env), home, file, "test");
    }
}
