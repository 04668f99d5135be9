package io.mcpserver.server.config;

import io.helidon.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerConfigTest {

    @TempDir
    Path home;

    private ServerConfig load(String yaml, Map<String, String> flags, Map<String, String> env) throws Exception {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, yaml);
        Config c = ConfigLoader.load(file, null, flags, env);
        return ServerConfig.from(c, home, file, "test");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        String yaml = "transports:\n  tcp:\n    port: 1000\n  http:\n    port: 2000\nprotocol:\n  page-size: 7\n";
        ServerConfig c = load(yaml, Map.of("transports.tcp.port", "3000"),
                Map.of("MCP_TRANSPORTS_TCP_PORT", "4000", "MCP_TRANSPORTS_HTTP_PORT", "5000",
                        "MCP_PROTOCOL_TOOL__TIMEOUT", "90s"));
        assertEquals(3000, c.tcp().port());
        assertEquals(5000, c.http().port());
        assertEquals(7, c.protocol().pageSize());
        assertEquals(Duration.ofSeconds(90), c.protocol().toolTimeout());
        assertEquals(home.resolve("plugins"), c.plugins().dir());
    }

    @Test
    void everyProblemIsNamedByKey() {
        String yaml = "transports:\n  tcp:\n    port: lots\n  http:\n    path: mcp\nprotocol:\n  tool-timeout: soon\n"
                + "limits:\n  max-message-size: huge\n";
        ConfigException e = assertThrows(ConfigException.class, () -> load(yaml, Map.of(), Map.of()));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("transports.tcp.port: must be a whole number, was 'lots'"), all);
        assertTrue(all.contains("transports.http.path: must start with '/'"), all);
        assertTrue(all.contains("protocol.tool-timeout"), all);
        assertTrue(all.contains("limits.max-message-size"), all);
    }

    @Test
    void aZeroDurationNeedsNoUnitButAnyOtherNumberDoes() throws Exception {
        // the reference says "0 never" for these keys: a plain 0 was refused as "must be a duration such as 30s"
        ServerConfig c = load("transports:\n  http:\n    sse-keep-alive: 0\n", Map.of(),
                Map.of("MCP_TRANSPORTS_HTTP_SSE__CLOSE__AFTER", "0"));
        assertEquals(Duration.ZERO, c.http().sseKeepAlive());
        assertEquals(Duration.ZERO, c.http().sseCloseAfter());
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("transports:\n  http:\n    sse-keep-alive: 15\n", Map.of(), Map.of()));
        assertTrue(String.join("\n", e.problems()).contains("transports.http.sse-keep-alive: must be a duration such as"
                + " 30s, 5m or PT1H, was '15'"), String.join("\n", e.problems()));
    }

    @Test
    void malformedYamlIsReportedNotThrownRaw() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("server: [unclosed", Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("cannot read configuration"), e.getMessage());
    }

    @Test
    void pluginSectionsArePlainValues() throws Exception {
        ServerConfig c = load("plugins:\n  empty:\n    # nothing\n  filesystem:\n    roots: [/a, /b]\n    allow-write: true\n",
                Map.of(), Map.of());
        assertTrue(c.pluginConfig("empty").values().isEmpty());
        var fs = c.pluginConfig("filesystem");
        assertEquals(java.util.List.of("/a", "/b"), fs.strings("roots"));
        assertTrue(fs.bool("allow-write", false));
        assertTrue(c.pluginConfig("absent").values().isEmpty());
    }
}
