package io.mcpserver.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A key with an empty part ({@code .protocol}, {@code a..b}, {@code a.}) is a configuration error naming the key:
 * Helidon reads the empty part as the root again and recursed to a StackOverflowError (found by ConfigFuzzTest in a
 * CI run; the input is kept as {@code found-key-with-an-empty-part}).
 */
class ConfigKeyPartsTest {

    @TempDir
    Path dir;

    private String refused(String yaml, Map<String, String> flags) throws Exception {
        Path file = Files.writeString(dir.resolve("mcp-server.yaml"), yaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, null, flags, Map.of())).getMessage();
    }

    @Test
    void aYamlKeyStartingWithADotIsRefusedWithItsLine() throws Exception {
        String message = refused("transports:\n  http:\n    port: 9001\n.protocol:\n  tool-timeout: 5s\n", Map.of());
        assertTrue(message.contains("line 4") && message.contains("'.protocol'") && message.contains("empty part"),
                message);
    }

    @Test
    void emptyPartsInTheMiddleOrAtTheEndAreRefusedToo() throws Exception {
        assertTrue(refused("protocol..page-size: 5\n", Map.of()).contains("'protocol..page-size'"));
        assertTrue(refused("protocol:\n  page-size.: 5\n", Map.of()).contains("'page-size.'"));
    }

    @Test
    void anEnvironmentVariableWithAnEmptyPartIsRefused() {
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, null, Map.of(),
                Map.of("MCP_PROTOCOL_", "5"))).getMessage();
        assertTrue(message.contains("'protocol.'") && message.contains("empty part"), message);
    }

    @Test
    void aFlagWithAnEmptyPartIsRefused() throws Exception {
        String message = refused("", Map.of(".protocol.page-size", "5"));
        assertTrue(message.contains("'.protocol.page-size'") && message.contains("empty part"), message);
    }
}
