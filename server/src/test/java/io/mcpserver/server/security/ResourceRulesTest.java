package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authorization of resources, subscriptions and completions as outside testing found it over TCP (issue 12,
 * item 4, item 7 and the Low list): a rule on concrete URIs must hold when a template serves them, however the
 * URI is encoded; {@code resources/subscribe} and {@code completion/complete} follow the same rules; a session's
 * subscriptions and their URIs are bounded; bad percent-encoding is the caller's error.
 */
class ResourceRulesTest {

    @TempDir
    static Path home;
    private static SecuredServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new SecuredServer(home, """
                limits:
                  max-subscriptions-per-session: 3
                  max-uri-length: 100
                """, """
                  rules:
                    resources:
                      - match: "demo://greeting/admin*"
                        scopes: [admin]
                    prompts:
                      - match: "p_*"
                        scopes: [prompts]
                """);
        CompletionProvider names = new CompletionProvider() {
            @Override
            public CompletionRef ref() {
                return CompletionRef.prompt("p_hidden");
            }

            @Override
            public Completion complete(String argument, String prefix, Map<String, String> context,
                                       io.mcpserver.spi.RequestContext request) {
                return Completion.filter(List.of("classified-1", "classified-2"), prefix);
            }
        };
        server.server.core().features().register(new Contributions(new Owner("rules", ResourceRulesTest.class.getClassLoader()),
                List.of(), List.of(),
                List.of(ResourceTemplate.of(ResourceTemplateDescriptor.of("demo://greeting/{name}", "greeting", null,
                        "text/plain"), (uri, vars, ctx) -> List.of(ResourceContents.text(uri, "text/plain",
                        "Hello, " + vars.get("name"))))),
                List.of(Prompt.of(PromptDescriptor.of("p_hidden", "hidden"),
                        (args, ctx) -> PromptResult.ofUserText(null, "hidden")),
                        Prompt.of(PromptDescriptor.of("open", "open"), (args, ctx) -> PromptResult.ofUserText(null, "o"))),
                List.of(names)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode read(LineClient c, int id, String uri) throws Exception {
        return c.request(SecuredServer.request(id, "resources/read", "{\"uri\":\"" + uri + "\"}"));
    }

    private static int code(JsonNode response) {
        return response.path("error").path("code").asInt();
    }

    @Test
    void aRuleOnConcreteUrisHoldsWhenATemplateServesThem() throws Exception {
        try (LineClient alice = server.tcpAs("alice");
             LineClient admin = server.tcpAs("root", "admin")) {
            assertEquals("Hello, bob", read(alice, 2, "demo://greeting/bob").path("result").path("contents").path(0)
                    .path("text").asText());
            assertEquals(-32003, code(read(alice, 3, "demo://greeting/admin")));
            assertEquals(-32003, code(read(alice, 4, "demo://greeting/admin-panel")));
            assertEquals(-32003, code(read(alice, 5, "demo://greeting/%61dmin")), "percent-encoding does not evade it");
            assertEquals("Hello, admin", read(admin, 2, "demo://greeting/admin").path("result").path("contents")
                    .path(0).path("text").asText());
        }
    }

    @Test
    void subscribingNeedsTheRightToRead() throws Exception {
        try (LineClient alice = server.tcpAs("alice")) {
            JsonNode denied = alice.request(SecuredServer.request(2, "resources/subscribe",
                    "{\"uri\":\"demo://greeting/admin\"}"));
            assertEquals(-32003, code(denied), denied.toString());
            assertTrue(alice.request(SecuredServer.request(3, "resources/subscribe", "{\"uri\":\"demo://greeting/bob\"}"))
                    .has("result"));
        }
    }

    @Test
    void completionsOfAPromptNeedTheRightToUseIt() throws Exception {
        String params = "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"p_hidden\"},\"argument\":{\"name\":\"x\",\"value\":\"c\"}}";
        try (LineClient alice = server.tcpAs("alice");
             LineClient insider = server.tcpAs("insider", "prompts")) {
            JsonNode denied = alice.request(SecuredServer.request(2, "completion/complete", params));
            assertEquals(-32003, code(denied), denied.toString());
            assertTrue(denied.toString().contains("classified") == false, denied.toString());
            JsonNode allowed = insider.request(SecuredServer.request(2, "completion/complete", params));
            assertEquals("classified-1", allowed.path("result").path("completion").path("values").path(0).asText(),
                    allowed.toString());
        }
    }

    @Test
    void subscriptionsPerSessionAndTheirUrisAreBounded() throws Exception {
        try (LineClient alice = server.tcpAs("alice")) {
            for (int i = 0; i < 3; i++) {
                assertTrue(alice.request(SecuredServer.request(10 + i, "resources/subscribe",
                        "{\"uri\":\"demo://greeting/n" + i + "\"}")).has("result"));
            }
            // the same URI again is no new subscription
            assertTrue(alice.request(SecuredServer.request(20, "resources/subscribe",
                    "{\"uri\":\"demo://greeting/n0\"}")).has("result"));
            JsonNode tooMany = alice.request(SecuredServer.request(21, "resources/subscribe",
                    "{\"uri\":\"demo://greeting/n3\"}"));
            assertEquals(-32000, code(tooMany), tooMany.toString());
            assertTrue(tooMany.path("error").path("message").asText().contains("max-subscriptions-per-session"));
            alice.request(SecuredServer.request(22, "resources/unsubscribe", "{\"uri\":\"demo://greeting/n0\"}"));
            assertTrue(alice.request(SecuredServer.request(23, "resources/subscribe",
                    "{\"uri\":\"demo://greeting/n3\"}")).has("result"), "room again after an unsubscribe");

            JsonNode tooLong = alice.request(SecuredServer.request(24, "resources/subscribe",
                    "{\"uri\":\"demo://greeting/" + "x".repeat(200) + "\"}"));
            assertEquals(-32602, code(tooLong), tooLong.toString());
            assertTrue(tooLong.path("error").path("message").asText().contains("max-uri-length"));
        }
    }

    @Test
    void badPercentEncodingIsInvalidParamsWithoutAStackTrace() throws Exception {
        List<LogRecord> severe = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    severe.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        try (LineClient alice = server.tcpAs("alice")) {
            JsonNode bad = read(alice, 2, "demo://greeting/%");
            assertEquals(-32602, code(bad), bad.toString());
            assertTrue(bad.path("error").path("message").asText().contains("percent-encoding"), bad.toString());
            JsonNode badSubscribe = alice.request(SecuredServer.request(3, "resources/subscribe",
                    "{\"uri\":\"demo://greeting/%zz\"}"));
            assertEquals(-32602, code(badSubscribe), badSubscribe.toString());
        } finally {
            root.removeHandler(handler);
        }
        assertTrue(severe.isEmpty(), "no SEVERE log: " + severe.stream().map(LogRecord::getMessage).toList());
    }
}
