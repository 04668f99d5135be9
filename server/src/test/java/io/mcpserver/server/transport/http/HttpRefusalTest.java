package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP meaning of a few JSON-RPC refusals: statuses and challenge headers. */
class HttpRefusalTest {

    @Test
    void forbiddenBecomes403WithTheScopesAndRateLimits429() throws Exception {
        JsonNode forbidden = Json.parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32003,\"message\":\"Not allowed\","
                + "\"data\":{\"requiredScopes\":[\"a:read\",\"b:write\"]}}}");
        HttpRefusal r = HttpRefusal.forResponse(forbidden, "https://m/.well-known/oauth-protected-resource").orElseThrow();
        assertEquals(403, r.status());
        String challenge = r.headers().get("WWW-Authenticate");
        assertTrue(challenge.startsWith("Bearer error=\"insufficient_scope\", scope=\"a:read b:write\""), challenge);
        assertTrue(challenge.contains("resource_metadata=\"https://m/.well-known/oauth-protected-resource\""), challenge);

        JsonNode limited = Json.parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"slow down\","
                + "\"data\":{\"retryAfterMs\":1500,\"retryAfterSeconds\":2}}}");
        HttpRefusal l = HttpRefusal.forResponse(limited, "u").orElseThrow();
        assertEquals(429, l.status());
        assertEquals("2", l.headers().get("Retry-After"));

        JsonNode inFlight = Json.parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"too many\"}}");
        assertTrue(HttpRefusal.forResponse(inFlight, "u").isEmpty(), "other limits keep the usual status");
        assertTrue(HttpRefusal.forResponse(Json.parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"), "u").isEmpty());
    }
}
