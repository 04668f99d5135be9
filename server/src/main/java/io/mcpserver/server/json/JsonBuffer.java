package io.mcpserver.server.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * A growable byte buffer that JSON trees are written into as compact UTF-8, byte for byte what
 * {@link Json#write} gives encoded as UTF-8, and that framing around them (SSE's {@code data: }) is appended to.
 * Objects, arrays, strings, integers, finite doubles, booleans and null are written here directly; anything else
 * (decimals, floats, binary, POJOs, non-finite doubles) is written by Jackson and copied in.
 * <p>
 * Why not Jackson for all of it: each of its tree writes builds a serializer provider and a generator and takes
 * buffers from the shared pool (a lock-free deque shared by every thread); for the small messages nearly every
 * call sends (a reply, a progress notification) that was most of the cost (bench/: profile-ours-http-progress,
 * where serializing the streamed call's 11 events was a quarter of the samples).
 */
public final class JsonBuffer {

    /** From this length on a string is escaped and encoded in bulk ({@link Utf8Text#escaped}). */
    private static final int LONG_STRING = 256;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private byte[] bytes;
    private int length;

    public JsonBuffer(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    /** Appends {@code node} as compact JSON. */
    public JsonBuffer tree(JsonNode node) {
        if (node == null) {
            append(NULL);
            return this;
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                put((byte) '{');
                Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
                boolean first = true;
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    if (!first) {
                        put((byte) ',');
                    }
                    first = false;
                    string(field.getKey());
                    put((byte) ':');
                    tree(field.getValue());
                }
                put((byte) '}');
            }
            case ARRAY -> {
                put((byte) '[');
                for (int i = 0, n = node.size(); i < n; i++) {
                    if (i > 0) {
                        put((byte) ',');
                    }
                    tree(node.get(i));
                }
                put((byte) ']');
            }
            case STRING -> string(node.textValue());
            case BOOLEAN -> append(node.booleanValue() ? TRUE : FALSE);
            case NULL -> append(NULL);
            case NUMBER -> number(node);
            default -> jackson(node); // binary, POJO, missing
        }
        return this;
    }

    /** Appends text that is ASCII (SSE field names, event ids): one byte per character. */
    public JsonBuffer ascii(String text) {
        int n = text.length();
        ensure(n);
        text.getBytes(0, n, bytes, length); // deprecated for its loss of the high byte, which ASCII does not have
        length += n;
        return this;
    }

    public JsonBuffer append(byte[] data) {
        return append(data, 0, data.length);
    }

    public JsonBuffer append(byte[] data, int offset, int count) {
        ensure(count);
        System.arraycopy(data, offset, bytes, length, count);
        length += count;
        return this;
    }

    public JsonBuffer put(byte b) {
        ensure(1);
        bytes[length++] = b;
        return this;
    }

    public int length() {
        return length;
    }

    /** The buffer itself: its first {@link #length} bytes are the content. */
    public byte[] array() {
        return bytes;
    }

    /** A copy of the content, exactly its length. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    private void number(JsonNode node) {
        switch (node.numberType()) {
            case INT, LONG -> ascii(Long.toString(node.longValue()));
            case BIG_INTEGER -> ascii(node.bigIntegerValue().toString());
            case DOUBLE -> {
                double d = node.doubleValue();
                if (Double.isFinite(d)) {
                    ascii(Double.toString(d)); // what Jackson writes (without its fast double writer, off here)
                } else {
                    jackson(node); // quoted, as Jackson's QUOTE_NON_NUMERIC_NUMBERS has it
                }
            }
            default -> jackson(node); // float, BigDecimal: Jackson's own formatting
        }
    }

    /** A string as JSON writes it: quoted, escaped as Jackson escapes, UTF-8 (an unpaired surrogate as {@code ?}). */
    private void string(String text) {
        int n = text.length();
        if (n >= LONG_STRING) {
            if (PlainText.isKnown(text)) { // read from a message as ASCII with nothing to escape: copied as it is
                ensure(n + 2);
                bytes[length++] = '"';
                text.getBytes(0, n, bytes, length); // deprecated for its loss of the high byte, which ASCII does not have
                length += n;
                bytes[length++] = '"';
                return;
            }
            byte[] escaped = Utf8Text.escaped(text);
            ensure(escaped.length + 2);
            bytes[length++] = '"';
            System.arraycopy(escaped, 0, bytes, length, escaped.length);
            length += escaped.length;
            bytes[length++] = '"';
            return;
        }
        ensure(n * 6 + 2); // the most a character takes: a control as \\u00XX
        byte[] out = bytes;
        int o = length;
        out[o++] = '"';
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\') {
                    out[o++] = (byte) c;
                } else {
                    o = escape(out, o, c);
                }
            } else if (c < 0x800) {
                out[o++] = (byte) (0xC0 | (c >> 6));
                out[o++] = (byte) (0x80 | (c & 0x3F));
            } else if (!Character.isSurrogate(c)) {
                out[o++] = (byte) (0xE0 | (c >> 12));
                out[o++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[o++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[o++] = (byte) (0xF0 | (cp >> 18));
                out[o++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[o++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[o++] = '?'; // an unpaired surrogate, as String.getBytes(UTF_8) encodes it
            }
        }
        out[o++] = '"';
        length = o;
    }

    /** Writes {@code c} escaped at {@code o} (a quote, a backslash or a control character); returns the next index. */
    static int escape(byte[] out, int o, char c) {
        out[o++] = '\\';
        switch (c) {
            case '"' -> out[o++] = '"';
            case '\\' -> out[o++] = '\\';
            case '\b' -> out[o++] = 'b';
            case '\t' -> out[o++] = 't';
            case '\n' -> out[o++] = 'n';
            case '\f' -> out[o++] = 'f';
            case '\r' -> out[o++] = 'r';
            default -> {
                out[o++] = 'u';
                out[o++] = '0';
                out[o++] = '0';
                out[o++] = HEX[c >> 4];
                out[o++] = HEX[c & 0xF];
            }
        }
        return o;
    }

    /** A node this buffer does not write itself: Jackson's text, encoded. */
    private void jackson(JsonNode node) {
        try {
            append(Json.MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON tree", e);
        }
    }

    /**
     * Room for {@code more} bytes. Grown with headroom: a long string grew the buffer to its exact end before, so the
     * brackets after it grew it (and copied the 64 KB) once more.
     */
    private void ensure(int more) {
        int need = length + more;
        if (need > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(need + (need >> 3) + 64, bytes.length * 2));
        }
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
