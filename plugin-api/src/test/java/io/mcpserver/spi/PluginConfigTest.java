package io.mcpserver.spi;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A plugin's configuration section as the plugin reads it: typed accessors, defaults, and clear errors. */
class PluginConfigTest {

    private final PluginConfig config = new PluginConfig(Map.of(
            "name", "demo",
            "count", 42,
            "count-text", " 7 ",
            "flag", true,
            "flag-text", "FALSE",
            "list", List.of("a", 1, true),
            "nested", Map.of("inner", "x")));

    @Test
    void valuesComeBackTypedAndAbsentOnesAsTheDefault() {
        assertEquals("demo", config.string("name", "d"));
        assertEquals("d", config.string("missing", "d"));
        assertEquals("42", config.string("count", null), "a number read as a string");
        assertEquals(42, config.number("count", 0));
        assertEquals(7, config.number("count-text", 0), "numbers written as text, spaces trimmed");
        assertEquals(-1, config.number("missing", -1));
        assertTrue(config.bool("flag", false));
        assertFalse(config.bool("flag-text", true));
        assertTrue(config.bool("missing", true));
        assertEquals(List.of("a", "1", "true"), config.strings("list"));
        assertEquals(List.of("demo"), config.strings("name"), "a scalar is a one-element list");
        assertEquals(List.of(), config.strings("missing"));
        assertEquals("x", config.section("nested").string("inner", null));
        assertEquals(PluginConfig.empty(), config.section("name"), "a scalar is no section");
        assertEquals(PluginConfig.empty(), config.section("missing"));
        assertTrue(config.get("missing").isEmpty());
    }

    @Test
    void aValueOfTheWrongTypeNamesTheKeyAndTheValue() {
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class, () -> config.number("name", 0));
        assertEquals("'name' must be a whole number, was 'demo'", number.getMessage());
        IllegalArgumentException bool = assertThrows(IllegalArgumentException.class, () -> config.bool("name", false));
        assertEquals("'name' must be true or false, was 'demo'", bool.getMessage());
    }

    @Test
    void aListThatArrivesAsAnIndexedMapKeepsItsOrder() {
        Map<String, Object> indexed = new HashMap<>(); // no order of its own: "11" may come before "2"
        IntStream.range(0, 12).forEach(i -> indexed.put(Integer.toString(i), "v" + i));
        PluginConfig c = new PluginConfig(Map.of("roots", indexed));
        assertEquals(IntStream.range(0, 12).mapToObj(i -> "v" + i).toList(), c.strings("roots"));
    }

    @Test
    void theSectionIsAnImmutableCopy() {
        Map<String, Object> source = new HashMap<>(Map.of("k", "v"));
        PluginConfig c = new PluginConfig(source);
        source.put("k", "changed");
        assertEquals("v", c.string("k", null));
        assertThrows(UnsupportedOperationException.class, () -> c.values().put("x", "y"));
        assertEquals(Map.of(), new PluginConfig(null).values());
    }
}
