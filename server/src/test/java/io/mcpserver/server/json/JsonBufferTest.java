package io.mcpserver.server.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link JsonBuffer} writes a tree exactly as Jackson's text path does, encoded as UTF-8 (the old
 * {@link Json#writeBytes}): numbers of every kind, nested containers, POJOs, and framing appended around trees.
 */
class JsonBufferTest {

    @Test
    void doublesAsJacksonWritesThem() {
        Random random = new Random(1414);
        double[] special = {0.0, -0.0, 1.0, -1.0, 0.1, 1e-7, 1e-3, 9.999999e-4, 1e7, 1e21, 1e22, 123456789.0,
            Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL, 4.35, 2.0 / 3, Math.PI, 1e300 * 10,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double d : special) {
            assertSame(Json.array().add(d));
        }
        for (int i = 0; i < 20_000; i++) {
            double d = i % 2 == 0 ? Double.longBitsToDouble(random.nextLong()) : random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            assertSame(Json.object().put("d", d));
        }
    }

    @Test
    void integersDecimalsFloatsBinaryAndPojos() {
        ObjectNode node = Json.object()
                .put("i", Integer.MIN_VALUE).put("j", Integer.MAX_VALUE).put("l", Long.MIN_VALUE).put("m", Long.MAX_VALUE)
                .put("s", (short) -7).put("big", new BigInteger("-123456789012345678901234567890"))
                .put("dec", new BigDecimal("1E+3")).put("dec2", new BigDecimal("0.000001234500"))
                .put("f", 1.1f).put("fnan", Float.NaN).put("bin", new byte[] {0, 1, 2, (byte) 255})
                .put("t", true).put("no", false).putNull("null");
        node.putPOJO("pojo", Map.of("when", Instant.parse("2026-12-01T10:00:00Z")));
        node.putPOJO("record", new Sample("é\ud83d\ude00", List.of(1, 2)));
        node.putRawValue("raw", new com.fasterxml.jackson.databind.util.RawValue("{\"r\":1}"));
        node.set("missing", JsonNodeFactory.instance.missingNode());
        node.set("nullRef", null);
        assertSame(node);
    }

    record Sample(String name, List<Integer> values) {
    }

    @Test
    void randomTreesOfEveryKindOfNode() {
        Random random = new Random(2026);
        for (int round = 0; round < 3_000; round++) {
            assertSame(randomNode(random, 0));
        }
    }

    @Test
    void framingAroundTrees() {
        JsonBuffer out = new JsonBuffer(1).ascii("data: ");
        out.tree(Json.object().put("k", "é\ud83d\ude00\u2028")).put((byte) '\n').append("x".getBytes(StandardCharsets.US_ASCII));
        assertEquals("data: {\"k\":\"é\ud83d\ude00\u2028\"}\nx", out.toString());
        assertEquals(out.length(), out.toByteArray().length);
    }

    private static JsonNode randomNode(Random random, int depth) {
        int kind = depth > 4 ? 3 + random.nextInt(6) : random.nextInt(9);
        return switch (kind) {
            case 0, 1 -> {
                ObjectNode o = Json.object();
                for (int i = random.nextInt(6); i > 0; i--) {
                    o.set(randomText(random, random.nextInt(12)), randomNode(random, depth + 1));
                }
                yield o;
            }
            case 2 -> {
                ArrayNode a = Json.array();
                for (int i = random.nextInt(6); i > 0; i--) {
                    a.add(randomNode(random, depth + 1));
                }
                yield a;
            }
            case 3, 4 -> JsonNodeFactory.instance.textNode(randomText(random, random.nextInt(10) == 0 ? 300 + random.nextInt(3000) : random.nextInt(30)));
            case 5 -> JsonNodeFactory.instance.numberNode(random.nextLong() >> random.nextInt(64));
            case 6 -> JsonNodeFactory.instance.numberNode(random.nextGaussian() * Math.pow(10, random.nextInt(30) - 15));
            case 7 -> JsonNodeFactory.instance.booleanNode(random.nextBoolean());
            default -> JsonNodeFactory.instance.nullNode();
        };
    }

    private static final char[] AWKWARD = {'"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u0001', '\u001f',
        '\u007f', '\u0080', '\u07ff', '\u0800', 'é', '€', '\u2028', '\ufffd', '\uffff', '\ud83d', '\ude00', '\udbff',
        '\udfff', 'a', ' ', 'Z', '~'};

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(random.nextInt(3) == 0 ? AWKWARD[random.nextInt(AWKWARD.length)] : (char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static void assertSame(JsonNode node) {
        byte[] jackson = Json.write(node).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(jackson, new JsonBuffer(8).tree(node).toByteArray(), () -> Json.write(node));
        assertArrayEquals(jackson, Json.writeBytes(node), () -> Json.write(node));
    }
}
