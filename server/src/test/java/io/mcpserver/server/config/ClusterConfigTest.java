package io.mcpserver.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cluster.*}: off by default, the Redis URL checked without ever showing its password, the node's name. */
class ClusterConfigTest {

    @TempDir
    Path home;

    private ServerConfig load(String yaml, Map<String, String> env) throws Exception {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.from(ConfigLoader.load(file, null, Map.of(), env), home, file, "test");
    }

    @Test
    void offByDefaultWithALocalRedisAndAHostPidNodeId() throws Exception {
        ClusterSettings c = load("", Map.of()).cluster();
        assertFalse(c.enabled());
        assertEquals("redis://127.0.0.1:6379", c.redisUrl());
        assertTrue(c.nodeId().endsWith("-" + ProcessHandle.current().pid()), c.nodeId());
        assertTrue(c.nodeId().length() > ("-" + ProcessHandle.current().pid()).length(), "a host name first: " + c.nodeId());
    }

    @Test
    void tlsPasswordAndNodeIdFromFileAndEnvironment() throws Exception {
        ClusterSettings c = load("cluster:\n  enabled: true\n  node-id: node-a\n",
                Map.of("MCP_CLUSTER_REDIS_URL", "rediss://:pw-123@redis.internal:6380/2")).cluster();
        assertTrue(c.enabled());
        assertEquals("node-a", c.nodeId());
        assertEquals("rediss://:pw-123@redis.internal:6380/2", c.redisUrl());
        assertFalse(c.toString().contains("pw-123"), c.toString());
        assertEquals("rediss://***@redis.internal:6380/2", ClusterSettings.redacted(c.redisUrl()));
    }

    @Test
    void badValuesAreReportedWithoutThePassword() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(
                "cluster:\n  redis:\n    url: http://user:pw-456@redis:6379\n  node-id: 'a b'\n", Map.of()));
        String all = e.getMessage();
        assertTrue(all.contains("cluster.redis.url: must start with redis:// or rediss://"), all);
        assertTrue(all.contains("cluster.node-id"), all);
        assertFalse(all.contains("pw-456"), all);

        e = assertThrows(ConfigException.class, () -> load("cluster:\n  redis:\n    url: 'redis://:pw 789@'\n", Map.of()));
        assertTrue(e.getMessage().contains("cluster.redis.url"), e.getMessage());
        assertFalse(e.getMessage().contains("pw 789"), e.getMessage());
    }
}
