package io.mcpserver.server.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Json#serializedLength} counts exactly what {@link Json#writeBytes} writes, without writing it. */
class JsonLengthTest {

    @Test
    void countsWhatIsWrittenForEveryKindOfValue() throws Exception {
        for (String text : new String[] {"{}", "[]", "{\"text\":\"hello, MCP\"}", "{\"a\":[1,2.5,-3e10,true,false,null,{}]}",
                "{\"q\":\"say \\\"hi\\\" \\\\ to / me\",\"c\":\"\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f\"}",
                "{\"u\":\"é ü € 中文 😀 \\ud83d\\ude00\",\"k\\u00e9y\":\"\\u2028\"}",
                "{\"lone\":\"a\\ud800b\\udc00c\"}", "{\"big\":123456789012345678901234567890,\"d\":0.1}",
                "[[[\"nested\",[{\"x\":{\"y\":[]}}]]]]"}) {
            JsonNode node = Json.parse(text);
            assertEquals(Json.writeBytes(node).length, Json.serializedLength(node), text);
        }
        ObjectNode built = Json.object().put("big", new BigDecimal("1E+3")).put("bin", new byte[] {1, 2, 3});
        built.set("long", Json.toTree("x".repeat(70_000)));
        assertEquals(Json.writeBytes(built).length, Json.serializedLength(built));
        assertEquals("x".repeat(70_000).length() + 2, Json.serializedLength(Json.toTree("x".repeat(70_000))));
        assertEquals(4, Json.serializedLength(null));
        assertEquals(Json.writeBytes(Json.toTree("é")).length, "\"é\"".getBytes(StandardCharsets.UTF_8).length);
    }
}
