package io.mcpserver.server.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration file parsed once ({@link YamlConfigFile}) reads as Helidon's own YAML file source read it: every
 * key and value the same, whatever YAML's scalar forms, aliases, dotted keys or nesting; and the shipped
 * {@code conf/mcp-server.yaml} the same too.
 */
class YamlConfigFileTest {

    @TempDir
    Path dir;

    private static final String EVERY_FORM = """
            # a comment
            plain: text
            quoted: "a: b # not a comment"
            single: 'it''s'
            int: 42
            hex: 0x1F
            octal: 0o17
            underscores: 1_000
            float: 1.5e3
            infinite: .inf
            yes-word: yes
            on-word: on
            bool: true
            nothing: ~
            empty:
            null-word: null
            date: 2026-12-01
            timestamp: 2026-12-01T23:59:59Z
            size: 1MiB
            dotted.key: value
            folded: >
              one
              two
            literal: |
              one
              two
            list: [a, 1, true, ~]
            objects:
              - name: x
                ports: [1, 2]
              - name: y
            nested:
              deeper:
                deepest: [[1, 2], [3]]
            anchor: &a
              k: v
            alias: *a
            duplicate: first
            duplicate: second
            unicode: "héllo ☃"
            """;

    private Map<String, String> flat(Config config) {
        Map<String, String> keys = new TreeMap<>();
        config.traverse().forEach(node -> node.asString().ifPresent(v -> keys.put(node.key().toString(), v)));
        return keys;
    }

    private Map<String, String> helidon(Path file) {
        return flat(Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.file(file).build()).build());
    }

    private Map<String, String> ours(Path file) {
        return flat(Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(YamlConfigFile.read(file))).build());
    }

    @Test
    void everyScalarFormReadsAsHelidonsFileSourceReadIt() throws Exception {
        Path file = Files.writeString(dir.resolve("forms.yaml"), EVERY_FORM);
        Map<String, String> expected = helidon(file);
        assertTrue(expected.size() > 30, expected.toString()); // the comparison covers something
        assertEquals(expected, ours(file));
        assertEquals("second", ours(file).get("duplicate"));
        assertEquals("31", ours(file).get("hex"));
    }

    @Test
    void theShippedConfigurationReadsTheSame() {
        Path shipped = Path.of("..", "conf", "mcp-server.yaml");
        assertTrue(Files.isRegularFile(shipped), shipped.toAbsolutePath().toString());
        assertEquals(helidon(shipped), ours(shipped));
    }

    @Test
    void anEmptyOrCommentOnlyFileIsNoSettings() throws Exception {
        assertEquals(Map.of(), ours(Files.writeString(dir.resolve("empty.yaml"), "")));
        assertEquals(Map.of(), ours(Files.writeString(dir.resolve("comments.yaml"), "# nothing\n# here\n")));
    }

    @Test
    void aFileThatIsNotAMappingIsRefusedWithTheReason() throws Exception {
        Path list = Files.writeString(dir.resolve("list.yaml"), "- transports\n- security\n");
        String message = assertThrows(ConfigException.class, () -> YamlConfigFile.read(list)).getMessage();
        assertTrue(message.contains("cannot read configuration " + list), message);
        assertTrue(message.contains("line 1: the file must be a mapping of settings"), message);
        Path scalar = Files.writeString(dir.resolve("scalar.yaml"), "just words\n");
        assertTrue(assertThrows(ConfigException.class, () -> YamlConfigFile.read(scalar)).getMessage()
                .contains("not a single scalar"));
    }

    @Test
    void notYamlIsRefusedWithTheParsersLineAndColumn() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "transports:\n  tcp: [unclosed\n");
        String message = assertThrows(ConfigException.class, () -> YamlConfigFile.read(bad)).getMessage();
        assertTrue(message.startsWith("cannot read configuration " + bad + ": "), message);
        assertTrue(message.contains("line 3"), message);
    }
}
