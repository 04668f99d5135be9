package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST facade with security on and real signed JWTs: the same 401 challenge, 403 {@code insufficient_scope},
 * 429 {@code Retry-After} and audit record ({@code transport: rest}) as the MCP endpoints, as problem+json.
 */
class RestSecurityTest {

    @TempDir
    static Path home;
    private static SecuredServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new SecuredServer(home, """
                limits:
                  rate:
                    per-principal: 1
                    per-principal-burst: 20
                """, """
                  rules:
                    tools:
                      - match: "secret_*"
                        scopes: [secrets:read]
                """);
        server.server.core().features().register(new Contributions(new Owner("secrets",
                RestSecurityTest.class.getClassLoader()), List.of(Tool.of(ToolDescriptor.builder("secret_read").build(),
                (args, ctx) -> ToolResult.text("the secret"))), List.of(), List.of(), List.of(), List.of()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.http.resolve("/mcp/v1" + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return SecuredServer.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> r, int status, int code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), r.body());
        JsonNode p = Json.parse(r.body());
        assertEquals(code, p.path("code").asInt(), r.body());
        return p;
    }

    @Test
    void withoutAValidTokenTheChallengeIsTheMcpEndpointsOne() throws Exception {
        HttpResponse<String> none = post("/tools/echo", null, "{\"text\":\"x\"}");
        problem(none, 401, -32001);
        String challenge = none.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.startsWith("Bearer ") && challenge.contains("resource_metadata=\""), challenge);
        HttpResponse<String> mcp = server.post(null, null, SecuredServer.echo(1, "x"));
        assertEquals(mcp.headers().firstValue("WWW-Authenticate").orElse(""), challenge,
                "the same challenge as POST /mcp");

        HttpResponse<String> forged = post("/tools/echo", server.tokens.forgedRs256(TestTokens.claims("alice", null)),
                "{\"text\":\"x\"}");
        problem(forged, 401, -32001);
        assertTrue(forged.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"),
                forged.headers().map().toString());
    }

    @Test
    void aValidTokenCallsAndTheAuditSaysRest() throws Exception {
        HttpResponse<String> ok = post("/tools/echo", server.token("rest-alice"), "{\"text\":\"audited\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("audited", Json.parse(ok.body()).path("content").path(0).path("text").asText());
        List<JsonNode> lines = server.lines(home.resolve("logs/audit.log"));
        JsonNode line = lines.stream().filter(l -> l.path("principal").asText().equals("rest-alice")).findFirst()
                .orElseThrow(() -> new AssertionError("no audit line: " + lines));
        assertEquals("rest", line.path("transport").asText(), line.toString());
        assertEquals("tools/call", line.path("method").asText(), line.toString());
    }

    @Test
    void toolsTheRulesRefuseAre403WithInsufficientScopeAndHiddenFromTheList() throws Exception {
        String plain = server.token("rest-bob");
        HttpResponse<String> refused = post("/tools/secret_read", plain, "{}");
        problem(refused, 403, -32003);
        String challenge = refused.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.contains("error=\"insufficient_scope\"") && challenge.contains("scope=\"secrets:read\""),
                challenge);
        HttpResponse<String> list = post("/tools/list", plain, "{}");
        assertTrue(!list.body().contains("secret_read") && list.body().contains("echo"), list.body());

        String scoped = server.tokens.rs256(TestTokens.claims("rest-carol", "secrets:read"));
        HttpResponse<String> allowed = post("/tools/secret_read", scoped, "{}");
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertTrue(allowed.body().contains("the secret"), allowed.body());
    }

    @Test
    void theOpenApiDocumentDeclaresTheBearerSchemeAndShowsOnlyWhatTheCallerMayCall() throws Exception {
        JsonNode anonymous = openApi(null);
        assertEquals("bearer", anonymous.path("components").path("securitySchemes").path("bearer").path("scheme")
                .asText(), anonymous.toString());
        assertEquals("JWT", anonymous.path("components").path("securitySchemes").path("bearer").path("bearerFormat")
                .asText());
        assertTrue(anonymous.path("security").path(0).has("bearer"), anonymous.path("security").toString());
        assertTrue(anonymous.path("paths").has("/mcp/v1/tools/call"));
        assertTrue(!anonymous.path("paths").has("/mcp/v1/tools/echo"), "no tools without a token");

        JsonNode bob = openApi(server.token("rest-doc-bob"));
        assertTrue(bob.path("paths").has("/mcp/v1/tools/echo"), bob.path("paths").toString());
        assertTrue(!bob.path("paths").has("/mcp/v1/tools/secret_read"), bob.path("paths").toString());
        JsonNode carol = openApi(server.tokens.rs256(TestTokens.claims("rest-doc-carol", "secrets:read")));
        assertTrue(carol.path("paths").has("/mcp/v1/tools/secret_read"), carol.path("paths").toString());

        HttpResponse<String> forged = SecuredServer.HTTP.send(HttpRequest.newBuilder(server.http.resolve(
                "/openapi.json")).header("Authorization", "Bearer " + server.tokens.forgedRs256(TestTokens.claims(
                "x", null))).build(), HttpResponse.BodyHandlers.ofString());
        problem(forged, 401, -32001);
    }

    private static JsonNode openApi(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.http.resolve("/openapi.json"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = SecuredServer.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        io.swagger.v3.parser.core.models.ParseOptions options = new io.swagger.v3.parser.core.models.ParseOptions();
        options.setResolve(true);
        var parsed = new io.swagger.v3.parser.OpenAPIV3Parser().readContents(r.body(), null, options);
        assertEquals(List.of(), parsed.getMessages(), r.body());
        return Json.parse(r.body());
    }

    @Test
    void anOperationIsItsOwnersOnly() throws Exception {
        String dave = server.token("rest-dave");
        HttpRequest start = HttpRequest.newBuilder(server.http.resolve("/mcp/v1/tools/echo?async=true"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + dave)
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"mine\"}")).build();
        HttpResponse<String> started = SecuredServer.HTTP.send(start, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());
        String location = started.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> own = SecuredServer.HTTP.send(HttpRequest.newBuilder(server.http.resolve(location))
                .header("Authorization", "Bearer " + dave).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, own.statusCode(), own.body());
        HttpResponse<String> other = SecuredServer.HTTP.send(HttpRequest.newBuilder(server.http.resolve(location))
                .header("Authorization", "Bearer " + server.token("rest-eve")).build(),
                HttpResponse.BodyHandlers.ofString());
        problem(other, 404, -32602);
        HttpResponse<String> none = SecuredServer.HTTP.send(HttpRequest.newBuilder(server.http.resolve(location))
                .build(), HttpResponse.BodyHandlers.ofString());
        problem(none, 401, -32001);
    }

    @Test
    void theRateLimitIs429WithRetryAfter() throws Exception {
        String token = server.token("rest-flood");
        HttpResponse<String> last = null;
        for (int i = 0; i < 40; i++) {
            last = post("/tools/echo", token, "{\"text\":\"" + i + "\"}");
            if (last.statusCode() != 200) {
                break;
            }
        }
        problem(last, 429, -32000);
        assertTrue(last.headers().firstValue("Retry-After").orElse("").matches("\\d+"), last.headers().map()
                .toString());
    }
}
