package io.mcpserver.server.config;

import io.helidon.config.Config;
import io.mcpserver.server.protocol.AccessPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecuritySettingsTest {

    @TempDir
    Path home;

    private ServerConfig load(String yaml) throws Exception {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
    }

    @Test
    void offByDefault() throws Exception {
        SecuritySettings s = load("server:\n  name: x\n").security();
        assertFalse(s.enabled());
        assertFalse(s.audit().enabled(), "the audit trail follows security.enabled unless set");
        assertEquals(home.resolve("logs/audit.log"), s.audit().file());
        assertEquals(0, s.rateLimits().perPrincipal());
        assertNull(s.stdio().scopes());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        Files.writeString(home.resolve("jwks.json"), "{\"keys\":[]}");
        ServerConfig c = load("""
                security:
                  enabled: true
                  resource: https://mcp.example.com/mcp
                  jwt:
                    jwks-file: jwks.json
                    issuer: https://as.example.com
                    clock-skew: 10s
                    roles-claim: realm_access.roles
                  default-policy: deny
                  scope-implies:
                    "files:write": [files:read]
                  rules:
                    tools:
                      - match: "fs_*"
                        scopes: [files:read]
                      - match: admin
                        roles: [admin]
                    resources:
                      - match: "file:///*"
                        scopes: [files:read]
                audit:
                  max-file-size: 1MiB
                  max-files: 3
                  log-arguments: true
                limits:
                  rate:
                    per-principal: 5
                    global: 100
                protocol:
                  tool-timeouts:
                    slow_tool: 30m
                transports:
                  stdio:
                    subject: me
                    scopes: [files:read]
                """);
        SecuritySettings s = c.security();
        assertTrue(s.enabled());
        assertEquals(List.of("https://mcp.example.com/mcp"), s.jwt().audience(), "the resource is the default audience");
        assertEquals(List.of("https://as.example.com"), s.authorizationServers(), "the issuer is the default AS");
        assertEquals(Duration.ofSeconds(10), s.jwt().clockSkew());
        assertEquals("realm_access.roles", s.jwt().rolesClaim());
        assertFalse(s.defaultAllow());
        assertEquals(Map.of("files:write", List.of("files:read")), s.scopeImplies());
        assertEquals(3, s.rules().size());
        assertEquals(new SecuritySettings.AccessRule(AccessPolicy.Kind.TOOL, "admin", Set.of(), Set.of("admin")),
                s.rules().get(1));
        assertTrue(s.audit().enabled());
        assertEquals(1024 * 1024, s.audit().maxFileSize());
        assertTrue(s.audit().logArguments());
        assertEquals(new SecuritySettings.RateLimitSettings(5, 10, 100, 200), s.rateLimits());
        assertEquals(Set.of("files:read"), s.stdio().scopes());
        assertEquals(Duration.ofMinutes(30), c.protocol().toolTimeout("slow_tool"));
        assertEquals(Duration.ofMinutes(5), c.protocol().toolTimeout("other"));
    }

    @Test
    void theShippedConfigurationFileIsValidAndKeepsSecurityOff() throws Exception {
        Path shipped = Path.of(System.getProperty("user.dir")).resolve("../conf/mcp-server.yaml").normalize();
        ServerConfig c = ServerConfig.from(ConfigLoader.load(shipped, null, Map.of(), Map.of()), home, shipped, "test");
        assertFalse(c.security().enabled());
        assertTrue(c.security().rules().isEmpty());
        assertEquals(home.resolve("logs/audit.log"), c.security().audit().file());
        assertTrue(c.protocol().toolTimeouts().isEmpty());
    }

    @Test
    void enablingSecurityWithoutKeysIssuerOrAudienceNamesEachProblem() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                security:
                  enabled: true
                  rules:
                    tools:
                      - scopes: [x]
                protocol:
                  tool-timeouts:
                    t: never
                """));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("security.jwt: security is enabled: set exactly one of jwks-file and jwks-url"), all);
        assertTrue(all.contains("security.jwt.issuer"), all);
        assertTrue(all.contains("security.jwt.audience"), all);
        assertTrue(all.contains("security.rules.tools.0.match"), all);
        assertTrue(all.contains("protocol.tool-timeouts.t"), all);
    }
}
