package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.config.SecuritySettings.AccessRule;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.security.RuleAccessPolicy;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code security.default-policy: deny} through the dispatcher: only what a rule grants is listed or served. */
class DefaultDenyPolicyTest {

    private TestClient client;

    @BeforeEach
    void setUp() throws Exception {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(new Contributions(new Owner("test", getClass().getClassLoader()),
                List.of(tool("open_echo"), tool("secret_tool")),
                List.of(Resource.of(ResourceDescriptor.of("test://open/a", "a", null, "text/plain"),
                                ctx -> List.of(ResourceContents.text("test://open/a", "text/plain", "A"))),
                        Resource.of(ResourceDescriptor.of("test://closed/b", "b", null, "text/plain"),
                                ctx -> List.of(ResourceContents.text("test://closed/b", "text/plain", "B")))),
                List.of(),
                List.of(Prompt.of(PromptDescriptor.of("unruled", "no rule names it"),
                        (args, ctx) -> PromptResult.ofUserText(null, "hidden"))),
                List.of()));
        // a rule with no scopes opens what it matches to everyone; everything else has no rule
        List<AccessRule> rules = List.of(new AccessRule(AccessPolicy.Kind.TOOL, "open_*", Set.of(), Set.of()),
                new AccessRule(AccessPolicy.Kind.RESOURCE, "test://open/*", Set.of(), Set.of()));
        McpCore core = new McpCore(io.mcpserver.server.config.ServerConfig.defaults().protocol(), registry, new RuleAccessPolicy(rules, false, Map.of()),
                false);
        client = new TestClient(core);
        client.initialize("2025-11-25", "{}");
    }

    private static Tool tool(String name) {
        return Tool.of(ToolDescriptor.builder(name).build(), (args, ctx) -> ToolResult.text(name + " ran"));
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    private static List<String> names(JsonNode reply, String array, String field) {
        List<String> names = new ArrayList<>();
        reply.at("/result/" + array).forEach(n -> names.add(n.path(field).asText()));
        return names;
    }

    @Test
    void onlyWhatARuleGrantsIsListed() throws Exception {
        assertEquals(List.of("open_echo"), names(client.call("tools/list", "{}"), "tools", "name"));
        assertEquals(List.of("test://open/a"), names(client.call("resources/list", "{}"), "resources", "uri"));
        assertEquals(List.of(), names(client.call("prompts/list", "{}"), "prompts", "name"));
    }

    @Test
    void whatNoRuleNamesIsRefusedSayingWhy() throws Exception {
        assertEquals("open_echo ran", client.call("tools/call", "{\"name\":\"open_echo\"}")
                .at("/result/content/0/text").asText());
        for (JsonNode denied : List.of(
                client.call("tools/call", "{\"name\":\"secret_tool\"}"),
                client.call("resources/read", "{\"uri\":\"test://closed/b\"}"),
                client.call("prompts/get", "{\"name\":\"unruled\"}"))) {
            assertEquals(ErrorCodes.FORBIDDEN, denied.at("/error/code").asInt(), denied.toString());
            assertTrue(denied.at("/error/message").asText().contains("security.default-policy: deny"), denied.toString());
        }
        assertEquals("A", client.call("resources/read", "{\"uri\":\"test://open/a\"}")
                .at("/result/contents/0/text").asText());
    }
}
