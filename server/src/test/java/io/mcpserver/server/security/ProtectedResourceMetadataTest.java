package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtectedResourceMetadataTest {

    @Test
    void configuredResourceWinsAndItsPathSuffixesTheWellKnownUrl() {
        var m = new ProtectedResourceMetadata("https://mcp.example.com/tenant/mcp", "/mcp", List.of("https://as.example.com"),
                List.of("files:read"));
        assertEquals("https://mcp.example.com/.well-known/oauth-protected-resource/tenant/mcp",
                m.url("http://127.0.0.1:9001"));
        JsonNode doc = m.document("http://127.0.0.1:9001");
        assertEquals("https://mcp.example.com/tenant/mcp", doc.path("resource").asText());
        assertEquals("https://as.example.com", doc.path("authorization_servers").path(0).asText());
        assertEquals("files:read", doc.path("scopes_supported").path(0).asText());
        assertEquals("header", doc.path("bearer_methods_supported").path(0).asText());
        assertEquals(Set.of("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp",
                "/.well-known/oauth-protected-resource/tenant/mcp"), m.paths());
    }

    @Test
    void withoutAConfiguredResourceTheRequestOriginIsUsed() {
        var m = new ProtectedResourceMetadata(null, "/mcp", List.of("https://as"), List.of());
        assertEquals("http://127.0.0.1:9001/mcp", m.resource("http://127.0.0.1:9001"));
        assertEquals("http://127.0.0.1:9001/.well-known/oauth-protected-resource/mcp", m.url("http://127.0.0.1:9001"));
        assertFalse(m.document("http://h").has("scopes_supported"));
        var root = new ProtectedResourceMetadata("https://mcp.example.com", "/mcp", List.of("https://as"), List.of());
        assertEquals("https://mcp.example.com/.well-known/oauth-protected-resource", root.url("http://x"));
    }

    @Test
    void globsMatchWholeNames() {
        assertTrue(RuleAccessPolicy.glob("fs_*").matcher("fs_read").matches());
        assertFalse(RuleAccessPolicy.glob("fs_*").matcher("xfs_read").matches());
        assertTrue(RuleAccessPolicy.glob("file:///*").matcher("file:///a/b.txt").matches());
        assertTrue(RuleAccessPolicy.glob("a?c").matcher("abc").matches());
        assertFalse(RuleAccessPolicy.glob("a.c").matcher("abc").matches(), "a dot is literal");
    }
}
