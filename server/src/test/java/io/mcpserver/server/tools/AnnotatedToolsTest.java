package io.mcpserver.server.tools;

import io.mcpserver.server.json.Json;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolContext;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnnotatedToolsTest {

    public enum Unit { CELSIUS, FAHRENHEIT }

    public record Point(@Param(description = "east-west") double x, double y) {
    }

    public record Distance(double value, String unit) {
    }

    public static final class Tools {
        @McpTool(description = "Converts a temperature", readOnly = true)
        public String convert(@Param(description = "the value") double value, Unit to,
                              @Param(required = false) Integer precision) {
            double v = to == Unit.FAHRENHEIT ? value * 9 / 5 + 32 : value;
            return precision == null ? String.valueOf(v) : String.format(java.util.Locale.ROOT, "%." + precision + "f", v);
        }

        @McpTool(name = "distance")
        public Distance between(Point a, Point b, Optional<String> unit) {
            return new Distance(Math.hypot(a.x() - b.x(), a.y() - b.y()), unit.orElse("m"));
        }

        @McpTool
        public List<String> tags(List<String> words, ToolContext context) {
            return words.stream().map(w -> "#" + w).toList();
        }

        @McpTool
        public void nothing() {
        }

        @McpTool
        public ToolResult raw() {
            return ToolResult.text("as is");
        }
    }

    private final Map<String, Tool> tools = AnnotatedTools.from(new Tools()).stream()
            .collect(java.util.stream.Collectors.toMap(t -> t.descriptor().name(), t -> t));

    @Test
    @SuppressWarnings("unchecked")
    void derivesSchemasFromParameters() {
        Map<String, Object> schema = tools.get("convert").descriptor().inputSchema();
        Map<String, Object> props = (Map<String, Object>) schema.get("properties");
        assertEquals(Map.of("type", "number", "description", "the value"), props.get("value"));
        assertEquals(List.of("CELSIUS", "FAHRENHEIT"), ((Map<String, Object>) props.get("to")).get("enum"));
        assertEquals(List.of("value", "to"), schema.get("required"));
        assertTrue(tools.get("convert").descriptor().annotations().readOnlyHint());

        Map<String, Object> distance = tools.get("distance").descriptor().inputSchema();
        Map<String, Object> a = (Map<String, Object>) ((Map<String, Object>) distance.get("properties")).get("a");
        assertEquals("object", a.get("type"));
        assertEquals(List.of("x", "y"), a.get("required"));
        assertEquals(List.of("a", "b"), distance.get("required"));
        assertEquals("object", tools.get("distance").descriptor().outputSchema().get("type"));
        assertNull(tools.get("raw").descriptor().outputSchema(), "a ToolResult is not structured content");
        assertNull(((Map<String, Object>) tools.get("tags").descriptor().inputSchema().get("properties")).get("context"));
    }

    @Test
    void bindsArgumentsAndConvertsResults() throws Exception {
        assertEquals("212.0", text(tools.get("convert").call(Map.of("value", 100, "to", "FAHRENHEIT"), null)));
        assertEquals("212.00", text(tools.get("convert").call(Map.of("value", 100, "to", "FAHRENHEIT", "precision", 2), null)));

        ToolResult d = tools.get("distance").call(Map.of("a", Map.of("x", 0, "y", 0), "b", Map.of("x", 3, "y", 4)), null);
        assertEquals(Map.of("value", 5.0, "unit", "m"), d.structuredContent());
        assertEquals(Map.of("value", 5.0, "unit", "m"), Json.toMap(Json.parse(text(d))));

        ToolResult tags = tools.get("tags").call(Map.of("words", List.of("a", "b")), null);
        assertEquals(Map.of("result", List.of("#a", "#b")), tags.structuredContent());
        assertTrue(tools.get("nothing").call(Map.of(), null).content().isEmpty());
    }

    @Test
    void aBadArgumentNamesTheParameter() {
        var e = assertThrows(io.mcpserver.spi.tools.ToolException.class,
                () -> tools.get("convert").call(Map.of("value", 1, "to", "KELVIN"), null));
        assertTrue(e.getMessage().contains("'to'"), e.getMessage());
    }

    private static String text(ToolResult r) {
        return ((TextContent) r.content().getFirst()).text();
    }
}
