package io.mcpserver.server.tools;

import io.mcpserver.server.json.Json;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolAnnotations;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Annotated tools beyond the basics: records with null and Optional values that still match their output schema,
 * java.time/UUID/URI/enum/map values both ways, hints only as set, defaults and constraints, and what is refused at
 * load time.
 */
class AnnotatedToolTypesTest {

    public enum Status { OPEN, CLOSED }

    public record Row(String name, String comment, Optional<String> email, Optional<Integer> age, int count,
                      Status status, LocalDate since, List<String> tags) {
    }

    public static final class Tools {
        @McpTool
        public Row row(boolean empty) {
            return empty ? new Row("a", null, Optional.empty(), Optional.empty(), 0, null, null, null)
                    : new Row("a", "c", Optional.of("a@example.com"), Optional.of(3), 1, Status.OPEN,
                            LocalDate.of(2025, 6, 1), List.of("x"));
        }

        @McpTool
        public Map<String, Object> echo(LocalDate day, Instant at, Duration length, UUID id, URI link, Status status,
                                        Map<String, Integer> counts, Optional<LocalDate> until) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", day.plusDays(1));
            m.put("at", at);
            m.put("length", length.multipliedBy(2));
            m.put("id", id);
            m.put("link", link.resolve("x"));
            m.put("status", status);
            m.put("counts", counts);
            m.put("until", until);
            return m;
        }

        @McpTool
        public List<LocalDate> days(LocalDate from, @Param(defaultValue = "2", min = 1, max = 10) int count) {
            return from.datesUntil(from.plusDays(count)).toList();
        }

        @McpTool(readOnly = true)
        public String look() {
            return "ok";
        }

        @McpTool
        public String plain() {
            return "ok";
        }

        @McpTool(destructive = false, openWorld = false, idempotent = true)
        public String careful(@Param(pattern = "^[a-z]+$", min = 1, max = 8) String word,
                              @Param(defaultValue = "CLOSED") Status status) {
            return word + " " + status;
        }
    }

    private final Map<String, Tool> tools = AnnotatedTools.from(new Tools()).stream()
            .collect(Collectors.toMap(t -> t.descriptor().name(), t -> t));

    @Test
    void aRecordWithNullAndOptionalValuesMatchesItsOutputSchema() throws Exception {
        ToolDescriptor row = tools.get("row").descriptor();
        OutputSchemaCheck check = OutputSchemaCheck.of(row);
        for (boolean empty : new boolean[] {true, false}) {
            ToolResult result = tools.get("row").call(Map.of("empty", empty), null);
            assertEquals(Optional.empty(), check.problem(result), "empty=" + empty + ": " + result);
        }
        ToolResult empty = tools.get("row").call(Map.of("empty", true), null);
        assertTrue(empty.structuredContent().containsKey("comment"));
        assertNull(empty.structuredContent().get("email"), "an empty Optional is null, not Jackson's error");
        ToolResult full = tools.get("row").call(Map.of("empty", false), null);
        assertEquals("a@example.com", full.structuredContent().get("email"));
        assertEquals("2025-06-01", full.structuredContent().get("since"));
        assertEquals(Json.parse("""
                {"type":"object","properties":{
                  "name":{"type":["string","null"]},"comment":{"type":["string","null"]},
                  "email":{"type":["string","null"]},"age":{"type":["integer","null"]},"count":{"type":"integer"},
                  "status":{"type":["string","null"],"enum":["OPEN","CLOSED",null]},
                  "since":{"type":["string","null"],"format":"date"},
                  "tags":{"type":["array","null"],"items":{"type":["string","null"]}}},
                 "required":["name","comment","count","status","since","tags"]}"""), Json.toTree(row.outputSchema()));
    }

    @Test
    void theCheckRefusesWhatClientsWouldReject() {
        ToolDescriptor d = ToolDescriptor.builder("t").outputSchema(Map.of("type", "object",
                "properties", Map.of("a", Map.of("type", "string")), "required", List.of("a"))).build();
        OutputSchemaCheck check = OutputSchemaCheck.of(d);
        Map<String, Object> nullA = new LinkedHashMap<>();
        nullA.put("a", null);
        assertTrue(check.problem(ToolResult.structured(nullA, "{}")).orElseThrow().contains("does not match"));
        assertTrue(check.problem(ToolResult.text("x")).orElseThrow().contains("no structured content"));
        assertEquals(Optional.empty(), check.problem(ToolResult.error("failed")), "errors are not checked");
        assertEquals(Optional.empty(), check.problem(ToolResult.structured(Map.of("a", "x"), "x")));
    }

    @Test
    void javaTimeUuidUriEnumsAndMapsConvertBothWays() throws Exception {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("day", "2025-02-28");
        args.put("at", "2025-06-01T10:15:30Z");
        args.put("length", "PT1H");
        args.put("id", "123e4567-e89b-12d3-a456-426614174000");
        args.put("link", "https://example.com/a/b");
        args.put("status", "CLOSED");
        args.put("counts", Map.of("x", 1));
        ToolResult r = tools.get("echo").call(args, null);
        Map<String, Object> s = r.structuredContent();
        assertEquals("2025-03-01", s.get("day"));
        assertEquals("2025-06-01T10:15:30Z", s.get("at"));
        assertEquals("PT2H", s.get("length"));
        assertEquals("123e4567-e89b-12d3-a456-426614174000", s.get("id"));
        assertEquals("https://example.com/a/x", s.get("link"));
        assertEquals("CLOSED", s.get("status"));
        assertEquals(Map.of("x", 1), s.get("counts"));
        assertNull(s.get("until"));

        Map<String, Object> schema = properties(tools.get("echo").descriptor().inputSchema());
        assertEquals(Map.of("type", "string", "format", "date"), schema.get("day"));
        assertEquals(Map.of("type", "string", "format", "uuid"), schema.get("id"));
        assertEquals(Map.of("type", "object", "additionalProperties", Map.of("type", "integer")), schema.get("counts"));
        assertEquals(List.of("string", "null"), ((Map<?, ?>) schema.get("until")).get("type"));

        var bad = assertThrows(io.mcpserver.spi.tools.ToolException.class,
                () -> tools.get("echo").call(Map.of("day", "2025-02-30", "at", "x", "length", "PT1H",
                        "id", "123e4567-e89b-12d3-a456-426614174000", "link", "a", "status", "OPEN",
                        "counts", Map.of()), null));
        assertEquals("argument 'day' is not a valid LocalDate: \"2025-02-30\"", bad.getMessage());
    }

    @Test
    void nonObjectResultsAreWrappedAndDescribed() throws Exception {
        ToolDescriptor days = tools.get("days").descriptor();
        assertEquals("object", days.outputSchema().get("type"));
        assertEquals(List.of("result"), days.outputSchema().get("required"));
        ToolResult r = tools.get("days").call(Map.of("from", "2025-01-30"), null);
        assertEquals(Map.of("result", List.of("2025-01-30", "2025-01-31")), r.structuredContent());
        assertEquals(Optional.empty(), OutputSchemaCheck.of(days).problem(r));
    }

    @Test
    void defaultsAndConstraintsAreInTheSchemaAndApplied() throws Exception {
        Map<String, Object> days = properties(tools.get("days").descriptor().inputSchema());
        assertEquals(Map.of("type", "integer", "default", 2, "minimum", 1L, "maximum", 10L), days.get("count"));
        assertEquals(List.of("from"), tools.get("days").descriptor().inputSchema().get("required"));
        Map<String, Object> careful = properties(tools.get("careful").descriptor().inputSchema());
        assertEquals(Map.of("type", "string", "minLength", 1L, "maxLength", 8L, "pattern", "^[a-z]+$"),
                careful.get("word"));
        assertEquals("CLOSED", ((Map<?, ?>) careful.get("status")).get("default"));
        assertEquals("abc CLOSED", ((io.mcpserver.spi.content.TextContent) tools.get("careful")
                .call(Map.of("word", "abc"), null).content().getFirst()).text());
        SchemaValidator validator = SchemaValidator.compile(tools.get("careful").descriptor().inputSchema());
        assertTrue(validator.validate(Json.parse("{\"word\":\"ABC\"}")).isPresent(), "pattern enforced");
        assertTrue(validator.validate(Json.parse("{\"word\":\"abcdefghij\"}")).isPresent(), "max enforced");
    }

    @Test
    void hintsArePublishedOnlyWhereTheAuthorChangedThem() {
        assertNull(tools.get("plain").descriptor().annotations(), "no hints set, none published");
        assertEquals(ToolAnnotations.builder().readOnlyHint(true).build(), tools.get("look").descriptor().annotations());
        assertEquals(ToolAnnotations.builder().destructiveHint(false).idempotentHint(true).openWorldHint(false).build(),
                tools.get("careful").descriptor().annotations());
    }

    public static final class DateTool {
        @McpTool
        public String when(String what, Date at) {
            return what;
        }
    }

    static final class HiddenClass {
        @McpTool
        public String hidden() {
            return "";
        }
    }

    public static final class HiddenMethod {
        @McpTool
        public String shown() {
            return "";
        }

        @McpTool
        String hidden() {
            return "";
        }
    }

    public static final class BadDefault {
        @McpTool
        public String count(@Param(defaultValue = "many") int n) {
            return "";
        }
    }

    public static final class BadResult {
        public record Event(String name, Date at) {
        }

        @McpTool
        public Event event() {
            return null;
        }
    }

    @Test
    void whatCannotWorkIsRefusedAtLoadNamingMethodAndParameter() {
        assertEquals("@McpTool method " + DateTool.class.getName() + ".when(String, Date), parameter 'at': "
                        + "unsupported type java.util.Date; supported: " + JavaSchemas.SUPPORTED,
                refused(new DateTool()));
        assertTrue(refused(new HiddenClass()).contains("is not public"), refused(new HiddenClass()));
        assertEquals("@McpTool method " + HiddenMethod.class.getName() + ".hidden() is not public",
                refused(new HiddenMethod()));
        assertEquals("@McpTool method " + BadDefault.class.getName() + ".count(int), parameter 'n': "
                + "defaultValue \"many\" is not a valid int", refused(new BadDefault()));
        assertTrue(refused(new BadResult()).contains("returns unsupported type java.util.Date at Event.at"),
                refused(new BadResult()));
        assertFalse(refused(new Object()).isEmpty());
    }

    private static String refused(Object target) {
        return assertThrows(IllegalArgumentException.class, () -> AnnotatedTools.from(target)).getMessage();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> schema) {
        return (Map<String, Object>) schema.get("properties");
    }
}
