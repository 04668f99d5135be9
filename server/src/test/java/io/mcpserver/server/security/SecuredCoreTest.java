package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.config.SecuritySettings.AccessRule;
import io.mcpserver.server.config.SecuritySettings;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy.Kind;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules, the audit trail and the rate limits as the dispatcher applies them, through a real connection. */
class SecuredCoreTest {

    @TempDir
    Path dir;
    private ServerSecurity security;
    /** The rate limits' clock: it moves only when a test moves it, so a slow machine changes no count. */
    private final java.util.concurrent.CountDownLatch slowInterrupted = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    private McpCore core;
    private final List<Client> clients = new ArrayList<>();

    private static final List<AccessRule> RULES = List.of(
            new AccessRule(Kind.TOOL, "secret_*", Set.of("secrets:read"), Set.of()),
            new AccessRule(Kind.TOOL, "admin_?", Set.of(), Set.of("admin", "root")),
            new AccessRule(Kind.RESOURCE, "test://private/*", Set.of("private"), Set.of()),
            new AccessRule(Kind.PROMPT, "p_*", Set.of("prompts"), Set.of()));

    private void start(boolean logArguments, SecuritySettings.RateLimitSettings limits, Map<String, Duration> timeouts)
            throws Exception {
        SecuritySettings settings = new SecuritySettings(true, TestTokens.AUDIENCE, List.of(TestTokens.ISSUER), List.of(),
                new SecuritySettings.JwtSettings(new TestTokens().writeJwks(dir.resolve("jwks.json")), null,
                        Duration.ofMinutes(10), TestTokens.ISSUER, List.of(TestTokens.AUDIENCE), Duration.ofSeconds(30),
                        "roles"),
                RULES, true, Map.of("secrets:admin", List.of("secrets:read")),
                new SecuritySettings.Identity("me", null, null),
                Map.of("build-bot", new SecuritySettings.Identity("build-bot", Set.of("secrets:read"), Set.of())),
                new SecuritySettings.AuditSettings(true, dir.resolve("logs/audit.log"), 1 << 20, 3, logArguments),
                limits);
        security = new ServerSecurity(settings, "/mcp", Clock.systemUTC(), nanos::get);
        security.start();
        FeatureRegistry registry = new FeatureRegistry();
        List<Tool> tools = List.of(
                Tool.of(ToolDescriptor.builder("echo").param("text", "string", "text", true).build(),
                        (args, ctx) -> ToolResult.text(String.valueOf(args.get("text")))),
                Tool.of(ToolDescriptor.builder("secret_read").build(), (args, ctx) -> ToolResult.text("the secret")),
                Tool.of(ToolDescriptor.builder("admin_x").build(), (args, ctx) -> ToolResult.text("admin done")),
                Tool.of(ToolDescriptor.builder("slow").build(), (args, ctx) -> {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        slowInterrupted.countDown();
                        throw e;
                    }
                    return ToolResult.text("late");
                }));
        List<Resource> resources = List.of(
                Resource.of(ResourceDescriptor.of("test://public/a", "a", null, "text/plain"),
                        ctx -> List.of(ResourceContents.text("test://public/a", "text/plain", "A"))),
                Resource.of(ResourceDescriptor.of("test://private/b", "b", null, "text/plain"),
                        ctx -> List.of(ResourceContents.text("test://private/b", "text/plain", "B"))));
        List<Prompt> prompts = List.of(Prompt.of(PromptDescriptor.of("p_hidden", "hidden"),
                (args, ctx) -> PromptResult.ofUserText(null, "hidden")));
        registry.register(new Contributions(new Owner("test", getClass().getClassLoader()), tools, resources, List.of(),
                prompts, List.of()));
        ProtocolSettings protocol = io.mcpserver.server.config.ServerConfig.defaults().protocol().withToolTimeouts(timeouts);
        core = new McpCore(protocol, registry, security.accessPolicy(), security.requestHook(), false);
    }

    @AfterEach
    void tearDown() {
        clients.forEach(Client::close);
        if (security != null) {
            security.close();
        }
    }

    private Client client(String subject, Set<String> scopes, Set<String> roles) throws InterruptedException {
        Client c = new Client(new Caller(subject, scopes, roles, "test", null, Map.of()));
        clients.add(c);
        c.call("initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}");
        c.connection.receive("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return c;
    }

    private List<String> names(JsonNode listResult, String array, String field) {
        List<String> names = new ArrayList<>();
        listResult.path("result").path(array).forEach(n -> names.add(n.path(field).asText()));
        return names;
    }

    @Test
    void aCallerWithoutTheScopeNeitherSeesNorCallsTheTool() throws Exception {
        start(false, SecuritySettings.RateLimitSettings.OFF, Map.of());
        Client plain = client("alice", Set.of(), Set.of());
        assertEquals(List.of("echo", "slow"), names(plain.call("tools/list", "{}"), "tools", "name"));
        JsonNode denied = plain.call("tools/call", "{\"name\":\"secret_read\",\"arguments\":{}}");
        assertEquals(ErrorCodes.FORBIDDEN, denied.path("error").path("code").asInt(), denied.toString());
        assertTrue(denied.path("error").path("message").asText().contains("secrets:read"), denied.toString());
        assertEquals("secrets:read", denied.path("error").path("data").path("requiredScopes").path(0).asText());

        Client reader = client("bob", Set.of("secrets:read"), Set.of());
        assertTrue(names(reader.call("tools/list", "{}"), "tools", "name").contains("secret_read"));
        assertEquals("the secret", reader.call("tools/call", "{\"name\":\"secret_read\"}")
                .path("result").path("content").path(0).path("text").asText());

        Client boss = client("carol", Set.of("secrets:admin"), Set.of());
        assertEquals("the secret", boss.call("tools/call", "{\"name\":\"secret_read\"}")
                .path("result").path("content").path(0).path("text").asText(), "a broader scope implies the narrower one");
    }

    @Test
    void rolesResourcesAndPromptsFollowTheirRules() throws Exception {
        start(false, SecuritySettings.RateLimitSettings.OFF, Map.of());
        Client plain = client("alice", Set.of(), Set.of("user"));
        assertEquals(ErrorCodes.FORBIDDEN, plain.call("tools/call", "{\"name\":\"admin_x\"}").path("error").path("code").asInt());
        assertEquals(List.of("test://public/a"), names(plain.call("resources/list", "{}"), "resources", "uri"));
        assertEquals(ErrorCodes.FORBIDDEN, plain.call("resources/read", "{\"uri\":\"test://private/b\"}")
                .path("error").path("code").asInt());
        assertTrue(names(plain.call("prompts/list", "{}"), "prompts", "name").isEmpty());
        assertEquals(ErrorCodes.FORBIDDEN, plain.call("prompts/get", "{\"name\":\"p_hidden\"}").path("error").path("code").asInt());

        Client root = client("root", Set.of("private", "prompts"), Set.of("root"));
        assertEquals("admin done", root.call("tools/call", "{\"name\":\"admin_x\"}")
                .path("result").path("content").path(0).path("text").asText());
        assertEquals("B", root.call("resources/read", "{\"uri\":\"test://private/b\"}")
                .path("result").path("contents").path(0).path("text").asText());
        assertEquals(List.of("p_hidden"), names(root.call("prompts/list", "{}"), "prompts", "name"));
    }

    @Test
    void theAuditTrailHasOneLinePerCallWithTheSameFields() throws Exception {
        start(false, SecuritySettings.RateLimitSettings.OFF, Map.of());
        Client alice = client("alice", Set.of(), Set.of());
        alice.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"top secret value\"}}");
        alice.call("tools/call", "{\"name\":\"secret_read\"}");
        alice.call("tools/list", "{}"); // not a call: not audited
        alice.call("resources/read", "{\"uri\":\"test://public/a\"}");
        security.audit().authenticationFailed("http", "10.0.0.7:5555",
                new AuthFailure(AuthFailure.Reason.EXPIRED, "the token expired"));
        List<JsonNode> lines = new java.util.ArrayList<>(auditLines(3));
        assertEquals(3, lines.size(), lines.toString());
        // refused authentications have a file of their own: they must not rotate the calls' records away
        lines.addAll(auditLines("logs/audit-refusals.log", 1));
        List<String> keys = fieldNames(lines.getFirst());
        assertEquals(List.of("time", "event", "principal", "transport", "clientId", "session", "method", "target",
                "outcome", "durationMs", "argumentBytes", "error", "remote"), keys);
        lines.forEach(l -> assertEquals(keys, fieldNames(l), "every line has the same fields: " + l));

        // a call's record is written just after its response is sent: find the lines, not their order
        JsonNode echo = line(lines, "echo");
        assertEquals("call", echo.path("event").asText());
        assertEquals("alice", echo.path("principal").asText());
        assertEquals("test", echo.path("transport").asText());
        assertEquals("tools/call", echo.path("method").asText());
        assertEquals("echo", echo.path("target").asText());
        assertEquals("ok", echo.path("outcome").asText());
        assertEquals("{\"text\":\"top secret value\"}".length(), echo.path("argumentBytes").asInt());
        assertFalse(echo.toString().contains("top secret value"), "argument values are not logged by default");
        assertEquals(16, echo.path("session").asText().length());
        assertNotNull(echo.path("clientId").textValue());

        JsonNode denied = line(lines, "secret_read");
        assertEquals("denied", denied.path("outcome").asText());
        assertEquals(ErrorCodes.FORBIDDEN, denied.path("error").path("code").asInt());
        assertEquals("resources/read", line(lines, "test://public/a").path("method").asText());

        JsonNode auth = lines.stream().filter(l -> l.path("event").asText().equals("authentication")).findFirst().orElseThrow();
        assertEquals("authentication", auth.path("event").asText());
        assertEquals("unauthenticated", auth.path("outcome").asText());
        assertEquals("expired", auth.path("error").path("reason").asText());
        assertEquals("10.0.0.7:5555", auth.path("remote").asText());
    }

    @Test
    void argumentValuesAreLoggedOnlyWhenConfigured() throws Exception {
        start(true, SecuritySettings.RateLimitSettings.OFF, Map.of());
        client("alice", Set.of(), Set.of()).call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
        assertEquals("hi", auditLines(1).getFirst().path("arguments").path("text").asText());
    }

    @Test
    void thePerPrincipalRateLimitRefusesWithARetryHintAndSparesOthers() throws Exception {
        start(false, new SecuritySettings.RateLimitSettings(1, 3, 0, 0), Map.of());
        Client flooder = client("flooder", Set.of(), Set.of()); // initialize took one token
        flooder.call("tools/list", "{}");
        flooder.call("tools/list", "{}");
        JsonNode limited = flooder.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}");
        assertEquals(ErrorCodes.LIMIT_EXCEEDED, limited.path("error").path("code").asInt(), limited.toString());
        long retryMs = limited.path("error").path("data").path("retryAfterMs").asLong();
        assertEquals(1000, retryMs, "one token a second, none left: " + limited);
        assertEquals(1, limited.path("error").path("data").path("retryAfterSeconds").asInt());

        Client other = client("other", Set.of(), Set.of());
        assertEquals("y", other.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"y\"}}")
                .path("result").path("content").path(0).path("text").asText());
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(retryMs - 1));
        assertEquals(ErrorCodes.LIMIT_EXCEEDED, flooder.call("tools/list", "{}").path("error").path("code").asInt(),
                "one millisecond short of a token");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(flooder.call("tools/list", "{}").has("result"), "the bucket refills");
        JsonNode flooded = auditLines(2).stream().filter(l -> l.path("principal").asText().equals("flooder"))
                .findFirst().orElseThrow();
        assertEquals("limited", flooded.path("outcome").asText());
    }

    @Test
    void theGlobalRateLimitCountsEveryone() throws Exception {
        start(false, new SecuritySettings.RateLimitSettings(0, 0, 1, 2), Map.of());
        client("a", Set.of(), Set.of()); // one token
        Client b = client("b", Set.of(), Set.of()); // the second
        assertEquals(ErrorCodes.LIMIT_EXCEEDED, b.call("tools/list", "{}").path("error").path("code").asInt());
    }

    @Test
    void aPerToolTimeoutOverridesTheDefault() throws Exception {
        start(false, SecuritySettings.RateLimitSettings.OFF, Map.of("slow", Duration.ofMillis(200)));
        JsonNode r = client("alice", Set.of(), Set.of()).call("tools/call", "{\"name\":\"slow\"}");
        assertTrue(r.path("result").path("isError").asBoolean(), r.toString());
        assertTrue(r.path("result").path("content").path(0).path("text").asText().contains("200 ms"), r.toString());
        assertTrue(slowInterrupted.await(10, TimeUnit.SECONDS), "the timed-out tool's thread was interrupted");
        assertEquals("tool_error", auditLines(1).getFirst().path("outcome").asText());
    }

    @Test
    void theStdioCallerMayUseEverythingTheRulesName() throws Exception {
        start(false, SecuritySettings.RateLimitSettings.OFF, Map.of());
        Caller local = security.localCaller();
        assertEquals("me", local.subject());
        assertEquals(Set.of("secrets:read", "private", "prompts"), local.scopes());
        assertTrue(security.accessPolicy().allows(local, Kind.TOOL, "admin_x"));
    }

    private List<JsonNode> auditLines(int atLeast) throws Exception {
        return auditLines("logs/audit.log", atLeast);
    }

    private List<JsonNode> auditLines(String name, int atLeast) throws Exception {
        Path file = dir.resolve(name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<JsonNode> lines = List.of();
        while (System.nanoTime() < deadline) {
            security.audit().awaitWritten(1, TimeUnit.SECONDS);
            lines = Files.exists(file) ? Files.readAllLines(file).stream().map(SecuredCoreTest::parse).toList() : List.of();
            if (lines.size() >= atLeast) {
                break;
            }
            Thread.sleep(10);
        }
        return lines;
    }

    private static JsonNode line(List<JsonNode> lines, String target) {
        return lines.stream().filter(l -> target.equals(l.path("target").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no audit line for " + target + " in " + lines));
    }

    private static JsonNode parse(String line) {
        try {
            return Json.parse(line);
        } catch (Exception e) {
            throw new AssertionError("audit line is not JSON: " + line, e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A connection to the core, as a message transport makes one. */
    private final class Client implements AutoCloseable {
        final BlockingQueue<ObjectNode> received = new LinkedBlockingQueue<>();
        final ClientConnection connection;
        private final AtomicInteger ids = new AtomicInteger(1);

        Client(Caller caller) {
            connection = new ClientConnection(core, "test", caller, received::add, 1 << 20);
        }

        JsonNode call(String method, String params) throws InterruptedException {
            int id = ids.getAndIncrement();
            connection.receive("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                ObjectNode m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && m.path("id").asInt(-1) == id) {
                    return m;
                }
            }
            throw new AssertionError("no response to " + method);
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}
