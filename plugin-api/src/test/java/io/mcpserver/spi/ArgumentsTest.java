package io.mcpserver.spi;

import io.mcpserver.spi.content.Role;
import io.mcpserver.spi.tools.Arguments;
import io.mcpserver.spi.tools.ToolException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArgumentsTest {

    @Test
    void typedAccessorsWithDefaults() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("q", "csv");
        raw.put("limit", 10);
        raw.put("ratio", 0.5);
        raw.put("strict", true);
        raw.put("tags", List.of("a", "b"));
        raw.put("role", "User");
        raw.put("where", Map.of("col", "x"));
        raw.put("none", null);
        Arguments a = Arguments.of(raw);
        assertEquals("csv", a.string("q"));
        assertEquals(10, a.integer("limit"));
        assertEquals(7, a.integer("missing", 7));
        assertEquals(0.5, a.number("ratio"));
        assertEquals(true, a.bool("strict"));
        assertEquals(List.of("a", "b"), a.strings("tags"));
        assertEquals(Role.USER, a.enumValue("role", Role.class));
        assertEquals("x", a.object("where").string("col"));
        assertFalse(a.has("none"));
        assertEquals(Optional.empty(), a.optionalString("none"));
        assertEquals(List.of(), a.list("missing"));
    }

    @Test
    void mismatchesNameTheArgumentForTheModel() {
        Arguments a = Arguments.of(Map.of("limit", 2.5, "q", 3));
        assertEquals("argument 'limit' must be a whole number, was 2.5",
                assertThrows(ToolException.class, () -> a.integer("limit")).getMessage());
        assertEquals("argument 'q' must be text, was 3",
                assertThrows(ToolException.class, () -> a.string("q")).getMessage());
        assertEquals("argument 'x' is required", assertThrows(ToolException.class, () -> a.bool("x")).getMessage());
    }
}
