package io.mcpserver.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A YAML file nested without end (an anchor used inside itself) or past the limit through aliases is a configuration
 * error that names the limit, not a StackOverflowError in Helidon's recursive parser; ordinary nesting still loads.
 */
class ConfigLoaderNestingTest {

    @TempDir
    Path dir;

    private ConfigException refused(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("mcp-server.yaml"), yaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, null, Map.of(), Map.of()));
    }

    @Test
    void anAnchorUsedInsideItselfIsRefusedWithTheLimitNamed() throws Exception {
        String message = refused("plugins:\n  demo:\n    tags: &t [x, *t]\n").getMessage();
        assertTrue(message.contains("line 3: the anchor &t is used inside itself"), message);
        assertTrue(message.contains("at most 50 levels"), message);
    }

    @Test
    void aMappingThatContainsItselfIsRefusedToo() throws Exception {
        String message = refused("plugins: &p\n  demo:\n    again: *p\n").getMessage();
        assertTrue(message.contains("the anchor &p is used inside itself"), message);
    }

    @Test
    void nestingPastTheLimitThroughAliasesIsRefused() throws Exception {
        // each anchor is 10 levels deep and holds the previous one: 60 levels, each written part well under 50
        StringBuilder yaml = new StringBuilder("plugins:\n  demo:\n");
        String inner = "x";
        for (int i = 1; i <= 6; i++) {
            yaml.append("    l").append(i).append(": &l").append(i).append(' ')
                    .append("[".repeat(10)).append(inner).append("]".repeat(10)).append('\n');
            inner = "*l" + i;
        }
        String message = refused(yaml.toString()).getMessage();
        assertTrue(message.contains("nested deeper than 50 levels, the most the server reads"), message);
    }

    @Test
    void ordinaryNestingAndSharedAnchorsStillLoad() throws Exception {
        Path file = Files.writeString(dir.resolve("ok.yaml"), """
                plugins:
                  demo:
                    base: &base {a: {b: {c: [1, 2, {d: deep}]}}}
                    copy1: *base
                    copy2: [*base, *base]
                """);
        assertEquals("deep", ConfigLoader.load(file, null, Map.of(), Map.of())
                .get("plugins.demo.copy2.1.a.b.c.2.d").asString().get());
    }
}
