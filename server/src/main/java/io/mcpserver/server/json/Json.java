package io.mcpserver.server.json;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The server's one Jackson mapper, and conversions between JSON trees and the plain values of the SPI. */
public final class Json {

    /**
     * Thread-safe once configured; shared by every transport and the dispatcher.
     * Jackson's default buffer pool is per thread (a ThreadLocal). Here nearly every thread is a virtual thread
     * that lives for one request or one connection, so that pool never recycles: each reply serialized on a
     * request's thread allocated ~18 KB of fresh buffers, and each connection's thread kept its own set alive
     * (bench/: JMH CodecBench.writeBytesOnNewVirtualThread, and the idle-connection heap profile). One shared pool
     * recycles across threads. Messages given as bytes are read by {@link BulkStringParser} (long strings in bulk).
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(new BulkStringFactory(new JsonFactoryBuilder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // one JSON value per message: '{"jsonrpc":"2.0",…} garbage' is a parse error, not the first value
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // tool arguments and results: Optional as its value or null, java.time as ISO-8601 text
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();

    static {
        // Message size is limited by each transport; let Jackson read whatever got past that limit.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE)
                .maxNestingDepth(512)
                .build());
    }

    private Json() {
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    public static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    public static JsonNode parse(byte[] bytes) throws IOException {
        try {
            return MAPPER.readTree(bytes);
        } catch (java.io.CharConversionException e) {
            // Jackson guesses UTF-16/32 from leading zero bytes and then fails outside its JsonProcessingException:
            // callers answer a parse error for that too (a body of NULs got HTTP 500: HttpFuzzTest)
            throw new com.fasterxml.jackson.core.JsonParseException(null, "the message is not UTF-8 JSON ("
                    + e.getMessage() + ")");
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON tree", e);
        }
    }

    /**
     * The UTF-8 bytes of a tree: exactly {@link #write}'s text encoded as UTF-8, written by {@link JsonBuffer}
     * (strings escaped and encoded in bulk when long). Writing text and encoding it after (the way before) copied a
     * 64 KB result four times; Jackson's byte generator escaped it a character at a time and cost a serializer
     * provider, a generator and pooled buffers per message (bench/: JMH {@code CodecBench}, profile-ours-http-64k,
     * profile-ours-http-progress).
     */
    public static byte[] writeBytes(JsonNode node) {
        return writeBuffer(node).toByteArray();
    }

    /**
     * {@link #writeBytes}'s bytes left in their buffer ({@link JsonBuffer#array} up to {@link JsonBuffer#length}): for
     * a writer that takes an array and a length, one copy of a 64 KB reply fewer.
     */
    public static JsonBuffer writeBuffer(JsonNode node) {
        return new JsonBuffer(256).tree(node);
    }

    /**
     * The length in bytes of {@link #writeBytes}{@code (node)}, counted without writing it: the audit trail records
     * the size of every call's arguments, which must not cost a second encoding of a 64 KB argument.
     */
    public static long serializedLength(JsonNode node) {
        if (node == null) {
            return 4; // null
        }
        if (node.isTextual()) {
            return quotedLength(node.textValue());
        }
        if (node.isObject()) {
            long n = 2; // {}
            int fields = 0;
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                n += quotedLength(e.getKey()) + 1 + serializedLength(e.getValue()); // "key":value
                fields++;
            }
            return n + Math.max(0, fields - 1); // commas
        }
        if (node.isArray()) {
            long n = 2; // []
            for (JsonNode element : node) {
                n += serializedLength(element);
            }
            return n + Math.max(0, node.size() - 1);
        }
        return writeBytes(node).length; // numbers, booleans, null, binary, POJOs: short, or rare
    }

    /** Bytes of a string as written: quotes, two-char escapes, six-char unicode escapes for other controls, UTF-8. */
    private static long quotedLength(String text) {
        long n = 2;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x20) {
                n += c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f' ? 2 : 6;
            } else if (c == '"' || c == '\\') {
                n += 2;
            } else if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (!Character.isSurrogate(c)) {
                n += 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 1; // an unpaired surrogate: encoded as '?'
            }
        }
        return n;
    }

    /** A plain Java value (Map, List, String, Number, Boolean, record…) as a JSON tree. */
    public static JsonNode toTree(Object value) {
        JsonNode plain = value == null ? null : plainTree(value, 0);
        return plain != null ? plain : MAPPER.valueToTree(value);
    }

    /** Deeper than this, {@link #toTree} leaves the value to Jackson, whose nesting limit then applies as before. */
    private static final int PLAIN_TREE_DEPTH = 200;

    /**
     * The tree of a value made only of maps with string keys, lists, strings, booleans, ints, longs, doubles and
     * null (what tool schemas and most results are), built directly; null for anything else, which Jackson then
     * converts whole. The nodes are the ones {@code valueToTree} makes for these types (IntNode, LongNode,
     * DoubleNode…), without its round trip through a token buffer: converting the schemas at start-up was a tenth
     * of a start's CPU (issue 14).
     */
    private static JsonNode plainTree(Object value, int depth) {
        if (value instanceof String text) {
            return JsonNodeFactory.instance.textNode(text);
        }
        if (value instanceof Boolean b) {
            return JsonNodeFactory.instance.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return JsonNodeFactory.instance.numberNode(i.intValue());
        }
        if (value instanceof Long l) {
            return JsonNodeFactory.instance.numberNode(l.longValue());
        }
        if (value instanceof Double d) {
            return JsonNodeFactory.instance.numberNode(d.doubleValue());
        }
        if (depth >= PLAIN_TREE_DEPTH) {
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    return null;
                }
                JsonNode v = e.getValue() == null ? JsonNodeFactory.instance.nullNode() : plainTree(e.getValue(), depth + 1);
                if (v == null) {
                    return null;
                }
                object.set(key, v);
            }
            return object;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode(list.size());
            for (Object item : list) {
                JsonNode v = item == null ? JsonNodeFactory.instance.nullNode() : plainTree(item, depth + 1);
                if (v == null) {
                    return null;
                }
                array.add(v);
            }
            return array;
        }
        return null;
    }

    /** A JSON object as a mutable map of plain values (nested maps, lists, strings, numbers, booleans, null). */
    public static Map<String, Object> toMap(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new LinkedHashMap<>();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = MAPPER.convertValue(node, LinkedHashMap.class);
        return map;
    }

    public static Object toPlain(JsonNode node) {
        return MAPPER.convertValue(node, Object.class);
    }

    public static List<Object> toList(JsonNode node) {
        @SuppressWarnings("unchecked")
        List<Object> list = MAPPER.convertValue(node, List.class);
        return list;
    }

    /** Text of a string field, or null when absent or not a string. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
