package io.mcpserver.server.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Json#MAPPER} reading bytes ({@link BulkStringParser}) gives what Jackson's own parser gives, tree for tree and
 * error for error (class, message with its location), whatever the strings hold: escapes, controls, every length of
 * UTF-8 sequence, invalid UTF-8, encoded surrogates, U+FFFD, strings ending at the end of the input, empty strings.
 */
class BulkStringParserTest {

    /** Jackson as the mapper was before: the same settings, Jackson's own factory. */
    static final ObjectMapper REFERENCE = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        REFERENCE.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(512).build());
    }

    /** Pieces of string content, as bytes: plain, escaped, raw controls, UTF-8 of every length, and broken UTF-8. */
    private static final byte[][] PIECES = {
        ascii("a"), ascii("plain text "), ascii("~\u007f"), ascii("/"),
        ascii("\\\""), ascii("\\\\"), ascii("\\n"), ascii("\\t"), ascii("\\/"), ascii("\\u00e9"), ascii("\\u0000"),
        ascii("\\ud83d\\ude00"), ascii("\\ud800"), ascii("\\udc00x"), ascii("\\x"), ascii("\\u12"),
        {0}, {0x1f}, {'\n'}, {'\r'}, {'\t'},
        utf8("é"), utf8("€"), utf8("😀"), utf8("\u2028"), utf8("\uFFFD"), utf8("日本語のテキスト"),
        {(byte) 0x80}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF8, 'a', 'b', 'c'}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xEF, (byte) 0xBF, (byte) 0xBE},
    };

    @Test
    void theMapperReadsBytesWithTheBulkParserUnlessJacksonWouldDetectAnotherEncoding() throws IOException {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(ascii("{\"a\":1}"))) {
            assertInstanceOf(BulkStringParser.class, p);
        }
        try (JsonParser p = Json.MAPPER.getFactory().createParser(ascii("xx{\"a\":1}"), 2, 7)) {
            assertInstanceOf(BulkStringParser.class, p);
        }
        byte[][] others = {
            concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, ascii("{\"a\":\"b\"}")), // UTF-8 BOM
            "{\"a\":\"b\"}".getBytes(StandardCharsets.UTF_16BE), "{\"a\":\"b\"}".getBytes(StandardCharsets.UTF_16LE),
            "{\"a\":\"b\"}".getBytes(StandardCharsets.UTF_16), "{\"a\":\"b\"}".getBytes("UTF-32BE"),
            "{\"a\":\"b\"}".getBytes("UTF-32LE"), ascii("1"), ascii("[1]"), new byte[0], new byte[] {0, 0, 0, 0},
        };
        for (byte[] other : others) {
            try (JsonParser p = Json.MAPPER.getFactory().createParser(other)) {
                assertFalse(p instanceof BulkStringParser, Arrays.toString(other));
            }
            assertSameAsJackson(other);
        }
    }

    @Test
    void everyPieceAloneAndAtEveryPositionOfShortAndLongStrings() {
        for (byte[] piece : PIECES) {
            for (int before = 0; before <= 17; before++) {
                for (int after : new int[] {0, 1, 7, 8, 9, 300}) {
                    byte[] text = concat(ascii("x".repeat(before)), piece, ascii("y".repeat(after)));
                    assertSameAsJackson(concat(ascii("{\"jsonrpc\":\"2.0\",\"id\":1,\"params\":{\"text\":\""), text,
                            ascii("\"}}")));
                    assertSameAsJackson(concat(ascii("[\""), text, ascii("\",\""), text, ascii("\"]")));
                    // the string ends the input: not closed, or closed and nothing after
                    assertSameAsJackson(concat(ascii("{\"a\":\""), text));
                    assertSameAsJackson(concat(ascii("\""), text, ascii("\"")));
                }
            }
        }
    }

    @Test
    void emptyAndTinyStringsAndNames() {
        for (String doc : new String[] {"\"\"", "\"\"  ", "[\"\"]", "{\"\":\"\"}", "{\"a\":\"\",\"b\":[\"\",\"x\"]}",
            "\"a\"", "[\"a\",\"\"", "{\"a\":\"b\"", "{\"a\":\"b\"} ", "{\"a\":\"b\"}x", "{\"a\":\"b\"} {}", "\"ab",
            "{\"k\\u00e9y\":\"v\"}", "{\"é\":\"ü\"}", "[\"\\\"\"]", "  \"x\"", "\n[\"x\",\n\"y\"]"}) {
            assertSameAsJackson(doc.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void longStringsAsTheBenchmarkSendsThemAndBrokenAtTheirEnd() {
        String letters = "abcdefghijklmnopqrstuvwxyz".repeat(2_600); // 67,600 bytes
        for (byte[] tail : new byte[][] {{}, ascii("\\n"), {(byte) 0xC3, (byte) 0xA9}, {(byte) 0xC3}, {0x01},
            utf8("😀"), {(byte) 0xED, (byte) 0xB0, (byte) 0x80}}) {
            byte[] text = concat(ascii(letters), tail);
            assertSameAsJackson(concat(ascii("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
                    + "\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""), text, ascii("\"}}}")));
        }
    }

    @Test
    void randomDocumentsOfPiecesReadAlike() {
        Random random = new Random(2026_12_01);
        for (int round = 0; round < 3_000; round++) {
            ByteArrayOutputStream doc = new ByteArrayOutputStream();
            doc.writeBytes(ascii("{\"a\":[\""));
            int pieces = round % 50 == 0 ? 2_000 : random.nextInt(12);
            for (int i = 0; i < pieces; i++) {
                doc.writeBytes(random.nextInt(3) == 0 ? PIECES[random.nextInt(PIECES.length)] : ascii("text "));
                if (random.nextInt(40) == 0) {
                    doc.writeBytes(ascii("\",\"")); // a string ends, the next begins
                }
            }
            doc.writeBytes(ascii(random.nextInt(10) == 0 ? "\"" : "\"]}"));
            assertSameAsJackson(doc.toByteArray());
        }
    }

    @Test
    void aLongAsciiStringReadIsRememberedAsPlainAndWrittenBackAsItWasRead() throws IOException {
        String sent = "the quick brown fox jumps over the lazy dog ".repeat(100);
        ObjectNode message = (ObjectNode) Json.parse(ascii("{\"text\":\"" + sent + "\",\"short\":\"abc\"}"));
        String text = message.get("text").textValue();
        assertEquals(sent, text);
        assertTrue(PlainText.isKnown(text));
        assertFalse(PlainText.isKnown(new String(text))); // the very object, not an equal one
        assertFalse(PlainText.isKnown(message.get("short").textValue()));

        ObjectNode reply = Json.object();
        reply.putObject("result").putArray("content").addObject().put("type", "text").put("text", text);
        byte[] expected = Json.write(reply).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, Json.writeBytes(reply));
        JsonBuffer buffer = Json.writeBuffer(reply);
        assertArrayEquals(expected, Arrays.copyOf(buffer.array(), buffer.length()));
    }

    @Test
    void longStringsNotPlainAsciiAreNotRemembered() throws IOException {
        for (String sent : new String[] {"é".repeat(300), "a\\nb".repeat(100), "x".repeat(255)}) {
            byte[] doc = utf8("[\"" + sent + "\"]");
            String text = Json.parse(doc).get(0).textValue();
            assertFalse(PlainText.isKnown(text), sent.substring(0, 10));
            assertEquals(REFERENCE.readTree(doc).get(0).textValue(), text);
        }
    }

    /** Jackson's tree and ours are equal, or both fail alike (class, message, location). */
    static void assertSameAsJackson(byte[] doc) {
        Object expected = read(REFERENCE, doc);
        Object actual = read(Json.MAPPER, doc);
        String what = new String(doc, 0, Math.min(doc.length, 120), StandardCharsets.ISO_8859_1);
        if (expected instanceof JsonNode e) {
            assertInstanceOf(JsonNode.class, actual, () -> what + " -> " + actual);
            assertEquals(e, actual, what);
        } else {
            assertEquals(expected, actual, what);
            assertNotEquals(null, expected);
        }
    }

    private static Object read(ObjectMapper mapper, byte[] doc) {
        try {
            return mapper.readTree(doc);
        } catch (JsonProcessingException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
