package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refused authentications per remote address (issue 12, item 1: over HTTP 401s were never rate limited, 1,600
 * refusals a second from eight clients, each one an audit line), and WebSocket refusals audited with the remote
 * address (they said {@code remote: null}).
 */
class RefusalLimitTest {

    @TempDir
    Path home;

    @Test
    void refusalsFromOneAddressAreLimitedWhileValidTokensStillPass() throws Exception {
        try (SecuredServer s = new SecuredServer(home, """
                limits:
                  rate:
                    auth-failures-per-address: 1
                    auth-failures-burst: 5
                """, "")) {
            String expired = s.tokens.rs256(TestTokens.claims("mallory", null).put("exp", 1000).put("iat", 900)
                    .put("nbf", 900));
            int unauthorized = 0;
            int limited = 0;
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = s.post(expired, null, SecuredServer.initialize("x"));
                if (r.statusCode() == 401) {
                    unauthorized++;
                } else {
                    assertEquals(429, r.statusCode(), r.body());
                    long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
                    assertTrue(retry >= 1 && retry <= 2, "Retry-After " + retry);
                    assertEquals(-32000, Json.parse(r.body()).path("error").path("code").asInt(), r.body());
                    limited++;
                }
            }
            assertTrue(unauthorized >= 5 && unauthorized <= 7, unauthorized + " refusals before the limit");
            assertTrue(limited >= 23, limited + " limited");
            // an honest client behind the same address (a proxy, a NAT) is not locked out
            assertEquals(200, s.post(s.token("alice"), null, SecuredServer.initialize("x")).statusCode());
            // and TCP from that address is limited the same way
            try (LineClient tcp = s.tcp()) {
                JsonNode r = tcp.request(SecuredServer.initialize(expired));
                assertEquals(-32000, r.path("error").path("code").asInt(), r.toString());
                assertEquals("rate_limited", r.path("error").path("data").path("reason").asText());
            }
            List<JsonNode> lines = s.lines(home.resolve("logs/audit-refusals.log"));
            assertTrue(lines.size() <= unauthorized + 2, "one line per refusal within the limit, then one per minute: "
                    + lines.size());
            assertTrue(lines.stream().anyMatch(l -> l.path("error").path("reason").asText().equals("rate_limited")));
        }
    }

    @Test
    void refusedWebSocketUpgradesAreAuditedWithTheRemoteAddress() throws Exception {
        try (SecuredServer s = new SecuredServer(home)) {
            HttpClient client = HttpClient.newHttpClient();
            CompletionException e = assertThrows(CompletionException.class, () -> client.newWebSocketBuilder()
                    .header("Authorization", "Bearer not-a-jwt")
                    .buildAsync(URI.create("ws://" + s.http.getAuthority() + "/ws"), new WebSocket.Listener() {
                    }).orTimeout(10, TimeUnit.SECONDS).join());
            assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse().statusCode());
            JsonNode line = s.lines(home.resolve("logs/audit-refusals.log")).stream()
                    .filter(l -> l.path("transport").asText().equals("websocket")).findFirst().orElseThrow();
            assertTrue(line.path("remote").asText().startsWith("127.0.0.1:"), line.toString());
        }
    }

    /** Outside testing: an initialize refused by the rate limit was answered 200 (every other request got 429). */
    @Test
    void aRateLimitedInitializeIs429WithRetryAfter() throws Exception {
        try (SecuredServer s = new SecuredServer(home, """
                limits:
                  rate:
                    per-principal: 1
                    per-principal-burst: 1
                """, "")) {
            String token = s.token("alice");
            assertEquals(200, s.post(token, null, SecuredServer.initialize("x")).statusCode());
            HttpResponse<String> limited = s.post(token, null, SecuredServer.initialize("x"));
            assertEquals(429, limited.statusCode(), limited.body());
            assertTrue(limited.headers().firstValue("Retry-After").isPresent());
            assertEquals(-32000, Json.parse(limited.body()).path("error").path("code").asInt());
        }
    }
}
