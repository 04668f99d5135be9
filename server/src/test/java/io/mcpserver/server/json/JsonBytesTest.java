package io.mcpserver.server.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Json#writeBytes} is {@link Json#write} encoded as UTF-8, byte for byte, whatever the text.
 */
class JsonBytesTest {

    private static final char[] AWKWARD = {'"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u0001', '\u001f',
        '\u007f', '\u0080', 'é', '€', '\u2028', '\ud83d', '\ude00', 'a', ' ', 'Z', '~'};

    @Test
    void writeBytesIsTheTextEncodedAsUtf8ForEveryCharacterBelow0x100AndSurrogates() {
        for (char c = 0; c < 0x100; c++) {
            assertSame(Json.object().put("k" + c, "v" + c + "w" + c));
        }
        for (String s : new String[] {"\ud83d\ude00", "a\ud800b", "\udc00", "x\ud800", "\ud800\ud800\udc00"}) {
            assertSame(Json.object().put(s, s));
        }
    }

    @Test
    void writeBytesOfRandomTextsShortAndLong() {
        Random random = new Random(14);
        for (int round = 0; round < 2_000; round++) {
            int length = round % 10 == 0 ? random.nextInt(70_000) : random.nextInt(40);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                text.append(random.nextInt(4) == 0 ? AWKWARD[random.nextInt(AWKWARD.length)]
                        : (char) ('a' + random.nextInt(26)));
            }
            ObjectNode node = Json.object().put("text", text.toString());
            node.putArray("list").add(text.toString()).add(round).add(round / 7.0).addNull().add(true);
            node.putObject(text.length() > 20 ? text.substring(0, 20) : text.toString()).put("n", -round);
            assertSame(node);
        }
    }

    @Test
    void writeBytesOfNumbersBinaryAndLongPlainText() {
        ObjectNode node = Json.object().put("big", new BigDecimal("1E+3")).put("bin", new byte[] {1, 2, 3})
                .put("int", new BigInteger("123456789012345678901234567890")).put("d", 0.1).put("f", 1.5f)
                .put("nan", Double.NaN).put("l", Long.MIN_VALUE);
        node.put("long", "x".repeat(70_000));
        node.set("plain", Json.toTree(java.util.Map.of("a", java.util.List.of(1, "two"))));
        assertSame(node);
    }

    @Test
    void firstToEscapeFindsEveryKindAtEveryPosition() {
        for (byte special : new byte[] {'"', '\\', 0, 0x1f, '\n'}) {
            for (int at = 0; at < 40; at++) {
                byte[] bytes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN".getBytes(StandardCharsets.US_ASCII);
                bytes[at] = special;
                assertEquals(at, Utf8Text.firstToEscape(bytes));
            }
        }
        assertEquals(-1, Utf8Text.firstToEscape("é€ plain text, no escapes at all ~".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void hasControlFindsEveryControlAtEveryPositionAndNothingElse() {
        for (int control = 0; control < 0x20; control++) {
            for (int at = 0; at < 40; at++) {
                byte[] bytes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN".getBytes(StandardCharsets.US_ASCII);
                bytes[at] = (byte) control;
                assertEquals(true, Utf8Text.hasControl(bytes));
            }
        }
        byte[] none = new byte[256 - 0x20 + 7];
        for (int i = 0; i < none.length; i++) {
            none[i] = (byte) (0x20 + i % (256 - 0x20)); // every byte from 0x20 to 0xFF, UTF-8 lead and tail bytes too
        }
        assertEquals(false, Utf8Text.hasControl(none));
    }

    private static void assertSame(JsonNode node) {
        assertArrayEquals(Json.write(node).getBytes(StandardCharsets.UTF_8), Json.writeBytes(node), () -> Json.write(node));
    }
}
