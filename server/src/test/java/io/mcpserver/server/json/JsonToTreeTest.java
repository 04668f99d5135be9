package io.mcpserver.server.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Json#toTree} builds plain values (maps, lists, strings, numbers, booleans, null) itself rather than through
 * Jackson's token buffer (issue 14: a tenth of a start): the trees must be exactly Jackson's, node classes included
 * (an IntNode and a LongNode of the same number are not equal, and trees are keys of the compiled-schema cache),
 * and anything else must still be converted by Jackson.
 */
class JsonToTreeTest {

    record Point(int x, int y) {
    }

    @Test
    void plainValuesGiveJacksonsTreeNodeForNode() {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", Map.of("n", Map.of("type", "integer", "minimum", 1, "maximum", 9_000_000_000L),
                "ratio", Map.of("type", "number", "exclusiveMaximum", 0.5)));
        schema.put("required", List.of("n"));
        schema.put("additionalProperties", false);
        schema.put("default", null);
        schema.put("examples", Arrays.asList(1, "two", null, true, List.of(), Map.of()));
        schema.put("", "");
        for (Object value : List.of(schema, "text", 7, 7L, 2.5, true, List.of(1, 2L, 3.0), new ArrayList<>(),
                new HashMap<>(Map.of("z", 1, "a", 2)))) {
            assertSameTree(value);
        }
    }

    @Test
    void otherValuesAreLeftToJacksonWholeEvenInsidePlainOnes() {
        Map<Object, Object> nonStringKey = new LinkedHashMap<>();
        nonStringKey.put(1, "one");
        List<Object> others = List.of(new Point(1, 2), 1.5f, (short) 3, new BigDecimal("1.10"), Optional.of("x"),
                new int[]{1, 2}, nonStringKey, Map.of("p", new Point(3, 4)), List.of(Map.of("f", 2.5f)),
                java.time.Duration.ofSeconds(90), Map.of("when", java.time.Instant.EPOCH));
        for (Object value : others) {
            assertSameTree(value);
        }
    }

    @Test
    void deepNestingIsJacksonsToJudge() {
        Object deep = "leaf";
        for (int i = 0; i < 300; i++) {
            deep = i % 2 == 0 ? List.of(deep) : Map.of("k", deep);
        }
        assertSameTree(deep);
    }

    private static void assertSameTree(Object value) {
        JsonNode expected = Json.MAPPER.valueToTree(value);
        JsonNode actual = Json.toTree(value);
        assertEquals(expected, actual, String.valueOf(value));
        assertSameClasses(expected, actual);
    }

    private static void assertSameClasses(JsonNode expected, JsonNode actual) {
        assertEquals(expected.getClass(), actual.getClass(), expected + " vs " + actual);
        if (expected.isContainerNode()) {
            assertEquals(expected.size(), actual.size());
            if (expected.isObject()) {
                assertEquals(iterate(expected.fieldNames()), iterate(actual.fieldNames()), "the same order");
                expected.fieldNames().forEachRemaining(name -> assertSameClasses(expected.get(name), actual.get(name)));
            } else {
                for (int i = 0; i < expected.size(); i++) {
                    assertSameClasses(expected.get(i), actual.get(i));
                }
            }
        }
    }

    private static List<String> iterate(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
