package io.mcpserver.server.transport.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginPolicyTest {

    @Test
    void loopbackBindAcceptsLoopbackOriginsAndHostsOnly() {
        OriginPolicy p = new OriginPolicy("127.0.0.1", List.of(), List.of());
        assertNull(p.rejection(null, "127.0.0.1:9001"));
        assertNull(p.rejection("http://localhost:3000", "localhost:9001"));
        assertNull(p.rejection("https://[::1]:8443", "[::1]:9001"));
        assertNotNull(p.rejection("http://evil.example.com", "127.0.0.1:9001"));
        assertNotNull(p.rejection(null, "evil.example.com"));
        assertNotNull(p.rejection(null, null));
        assertFalse(p.originAllowed("null"));
    }

    @Test
    void configuredOriginsAndHosts() {
        OriginPolicy p = new OriginPolicy("127.0.0.1", List.of("https://app.example.com/"), List.of("mcp.internal"));
        assertTrue(p.originAllowed("https://APP.example.com"));
        assertFalse(p.originAllowed("https://app.example.com.evil.org"));
        assertTrue(p.hostAllowed("mcp.internal:9001"));
    }

    @Test
    void wildcardBindChecksOriginsButNotHosts() {
        OriginPolicy p = new OriginPolicy("0.0.0.0", List.of(), List.of());
        assertTrue(p.hostAllowed("anything.example.com"));
        assertFalse(p.originAllowed("http://localhost:3000"), "loopback origins are only implied on a loopback bind");
        assertTrue(new OriginPolicy("0.0.0.0", List.of("*"), List.of()).originAllowed("http://x.example"));
    }
}
