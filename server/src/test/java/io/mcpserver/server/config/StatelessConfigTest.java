package io.mcpserver.server.config;

import io.helidon.config.Config;
import io.mcpserver.server.protocol.StatelessSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stateless era's keys: protocol.cache.*, protocol.request-state-key and -ttl. */
class StatelessConfigTest {

    @TempDir
    Path home;

    private ServerConfig load(String yaml, Map<String, String> env) throws Exception {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.from(ConfigLoader.load(file, null, Map.of(), env), home, file, "test");
    }

    @Test
    void defaultsAndOverrides() throws Exception {
        StatelessSettings d = load("", Map.of()).protocol().stateless();
        assertEquals(Duration.ofMinutes(1), d.listTtl());
        assertEquals(Duration.ZERO, d.readTtl());
        assertEquals("private", d.cacheScope());
        assertNull(d.requestStateKey(), "unset: a random key per process");
        assertEquals(Duration.ofMinutes(10), d.requestStateTtl());

        byte[] key = new byte[32];
        key[31] = 9;
        StatelessSettings m = load("protocol:\n  cache:\n    list-ttl: 5m\n    read-ttl: 2s\n    scope: public\n"
                + "  request-state-ttl: 30s\n", Map.of("MCP_PROTOCOL_REQUEST__STATE__KEY",
                Base64.getEncoder().encodeToString(key))).protocol().stateless();
        assertEquals(Duration.ofMinutes(5), m.listTtl());
        assertEquals(Duration.ofSeconds(2), m.readTtl());
        assertEquals("public", m.cacheScope());
        assertEquals(Duration.ofSeconds(30), m.requestStateTtl());
        assertArrayEquals(key, m.requestStateKey());
    }

    @Test
    void badValuesAreReported() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("protocol:\n  cache:\n    scope: shared\n"
                + "  request-state-key: c2hvcnQ=\n  request-state-ttl: 0s\n", Map.of()));
        String all = e.getMessage();
        assertTrue(all.contains("protocol.cache.scope"), all);
        assertTrue(all.contains("protocol.request-state-key") && all.contains("32 bytes"), all);
        assertTrue(all.contains("protocol.request-state-ttl"), all);
        assertThrows(ConfigException.class, () -> load("protocol:\n  request-state-key: '%%%'\n", Map.of()));
    }
}
