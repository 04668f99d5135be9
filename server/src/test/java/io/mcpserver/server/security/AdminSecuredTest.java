package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API and the console with security on: real signed JWTs; only a token with {@code admin.scope} (or
 * {@code admin.role}) gets in, from any address; principals are listed, tokens never; closing a connection is
 * audited.
 */
class AdminSecuredTest {

    @TempDir
    Path home;

    @Test
    void onlyAnAdminTokenMayListAndCloseAndItIsAudited() throws Exception {
        try (SecuredServer s = new SecuredServer(home)) {
            String aliceToken = s.tokens.rs256(TestTokens.claims("alice", "mcp:tools"));
            LineClient alice = s.tcpAs("alice");
            String bobToken = s.token("bob");
            HttpResponse<String> init = s.post(bobToken, null, SecuredServer.initialize(bobToken));
            assertEquals(200, init.statusCode(), init.body());
            String bobSession = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
            String carolToken = s.token("carol");
            WsClient carol = WsClient.connectWith(Map.of("Authorization", "Bearer " + carolToken),
                    URI.create("ws://127.0.0.1:" + s.http.getPort() + "/ws"));
            carol.send(SecuredServer.initialize(carolToken).replace(",\"_meta\":{\"io.mcpserver/authorization\":\"Bearer "
                    + carolToken + "\"}", ""));
            assertTrue(carol.response(1).has("result"));

            // no token: 401 with the challenge; a bad one too
            HttpResponse<String> none = admin(s, "GET", "/admin/connections", null);
            assertEquals(401, none.statusCode());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer "));
            assertEquals("unauthorized", error(none).path("code").asText());
            assertEquals(401, admin(s, "GET", "/admin/connections", s.tokens.forgedRs256(
                    TestTokens.claims("mallory", "mcp:admin"))).statusCode());
            // a valid token without the admin scope or role: 403, and it may not close anything either
            HttpResponse<String> user = admin(s, "GET", "/admin/connections", aliceToken);
            assertEquals(403, user.statusCode());
            assertTrue(user.headers().firstValue("WWW-Authenticate").orElse("").contains("insufficient_scope"));
            assertTrue(error(user).path("message").asText().contains("mcp:admin"), user.body());
            assertEquals(403, admin(s, "DELETE", "/admin/connections/tcp-1", aliceToken).statusCode());
            assertEquals(403, admin(s, "GET", "/admin/plugins", aliceToken).statusCode());

            String adminToken = s.tokens.rs256(TestTokens.claims("root", "mcp:admin"));
            HttpResponse<String> list = admin(s, "GET", "/admin/connections", adminToken);
            assertEquals(200, list.statusCode(), list.body());
            for (String secret : List.of(aliceToken, bobToken, carolToken, adminToken, bobSession)) {
                assertFalse(list.body().contains(secret), "a credential was listed");
            }
            Map<String, JsonNode> byPrincipal = new HashMap<>();
            Json.parse(list.body()).path("connections").forEach(c -> byPrincipal.put(c.path("principal").asText(), c));
            assertEquals("tcp", byPrincipal.get("alice").path("transport").asText());
            assertEquals("http", byPrincipal.get("bob").path("transport").asText());
            assertEquals("websocket", byPrincipal.get("carol").path("transport").asText());
            JsonNode onlyBob = Json.parse(admin(s, "GET", "/admin/connections?principal=bob", adminToken).body());
            assertEquals(1, onlyBob.path("total").asInt());

            // a role does it too (security.jwt.roles-claim: roles)
            var claims = TestTokens.claims("ops", null);
            claims.putArray("roles").add("admin");
            String roleToken = s.tokens.rs256(claims);
            assertEquals(200, admin(s, "GET", "/admin/plugins", roleToken).statusCode());

            String aliceId = byPrincipal.get("alice").path("id").asText();
            HttpResponse<String> closed = admin(s, "DELETE", "/admin/connections/" + aliceId, adminToken);
            assertEquals(200, closed.statusCode(), closed.body());
            assertTrue(alice.awaitEof(15_000), "alice's connection was closed");
            List<JsonNode> audit = s.lines(home.resolve("logs/audit.log"));
            JsonNode record = audit.stream().filter(l -> l.path("event").asText().equals("admin")).findFirst()
                    .orElseThrow(() -> new AssertionError("no admin record in " + audit));
            assertEquals("root", record.path("principal").asText());
            assertEquals("admin/close-connection", record.path("method").asText());
            assertEquals(aliceId, record.path("target").asText());
            assertEquals("closed", record.path("outcome").asText());
            carol.socket.sendClose(1000, "bye").join();
        }
    }

    @Test
    void theConsoleNeedsAnAdminTokenTooInItsUrlWhenOpenedInABrowser() throws Exception {
        try (SecuredServer s = new SecuredServer(home)) {
            assertEquals(401, admin(s, "GET", "/console", null).statusCode());
            String user = s.token("alice");
            assertEquals(403, s.get("/console?access_token=" + user).statusCode());
            String admin = s.tokens.rs256(TestTokens.claims("root", "mcp:admin"));
            HttpResponse<String> page = s.get("/console?access_token=" + admin);
            assertEquals(200, page.statusCode(), page.body());
            assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(""));
            // the API itself takes the header only: a token in a URL is for opening the page
            assertEquals(401, s.get("/admin/connections?access_token=" + admin).statusCode());
        }
    }

    private static HttpResponse<String> admin(SecuredServer s, String method, String path, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.http.resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return SecuredServer.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode error(HttpResponse<String> res) throws Exception {
        return Json.parse(res.body()).path("error");
    }
}
