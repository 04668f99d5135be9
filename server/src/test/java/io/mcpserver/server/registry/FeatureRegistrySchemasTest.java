package io.mcpserver.server.registry;

import io.mcpserver.server.json.Json;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry compiles each tool schema once, not once per later registration, and validates as before. */
class FeatureRegistrySchemasTest {

    private static final Map<String, Object> NEEDS_TEXT = Map.of("type", "object",
            "properties", Map.of("text", Map.of("type", "string")), "required", List.of("text"));

    private static Tool tool(String name, Map<String, Object> input, Map<String, Object> output) {
        return Tool.of(ToolDescriptor.builder(name).inputSchema(input).outputSchema(output).build(),
                (arguments, context) -> ToolResult.text("ok"));
    }

    private static Contributions plugin(String name, Tool... tools) {
        return new Contributions(new Owner(name, FeatureRegistrySchemasTest.class.getClassLoader()), List.of(tools),
                List.of(), List.of(), List.of(), List.of());
    }

    @Test
    void registeringAnotherPluginKeepsTheCompiledSchemasOfTheEarlierOnes() {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(plugin("first", tool("echo", NEEDS_TEXT, Map.of("type", "object"))));
        FeatureRegistry.RegisteredTool before = registry.tool("echo").orElseThrow();

        registry.register(plugin("second", tool("other", Map.of("type", "object", "properties",
                Map.of("n", Map.of("type", "integer"))), null)));
        registry.unregister("second");

        FeatureRegistry.RegisteredTool after = registry.tool("echo").orElseThrow();
        assertSame(before.validator(), after.validator(), "the first plugin's input schema was compiled again");
    }

    @Test
    void aCompiledSchemaRejectsBadArgumentsWithTheSameMessageAsAFreshOne() {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(plugin("first", tool("echo", NEEDS_TEXT, null)));
        registry.register(plugin("second", tool("same-schema", NEEDS_TEXT, null)));

        var bad = Json.object().put("text", 5);
        var fresh = io.mcpserver.server.tools.SchemaValidator.compile(NEEDS_TEXT).validate(bad);
        assertTrue(fresh.isPresent());
        assertEquals(fresh, registry.tool("echo").orElseThrow().validator().validate(bad));
        assertEquals(fresh, registry.tool("same-schema").orElseThrow().validator().validate(bad));
        assertFalse(registry.tool("echo").orElseThrow().validator().validate(Json.object().put("text", "hi")).isPresent());
    }

    @Test
    void aChangedSchemaIsCompiledAgain() {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(plugin("first", tool("echo", NEEDS_TEXT, null)));
        var before = registry.tool("echo").orElseThrow().validator();

        registry.register(plugin("first", tool("echo", Map.of("type", "object"), null)));

        var after = registry.tool("echo").orElseThrow().validator();
        assertNotSame(before, after);
        assertFalse(after.validate(Json.object().put("text", 5)).isPresent(), "the new schema accepts any object");
    }

    @Test
    void anInvalidSchemaIsStillRefusedAtRegistrationNamingTheTool() {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(plugin("first", tool("echo", NEEDS_TEXT, null)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.register(
                plugin("second", tool("broken", Map.of("type", "object", "properties",
                        Map.of("a", Map.of("$ref", "#/$defs/missing"))), null))));

        assertTrue(e.getMessage().startsWith("tool 'broken' has an invalid JSON Schema: "), e.getMessage());
        assertTrue(registry.tool("broken").isEmpty());
        assertTrue(registry.tool("echo").isPresent());
    }
}
