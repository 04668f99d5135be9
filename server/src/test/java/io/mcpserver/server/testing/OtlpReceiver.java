package io.mcpserver.server.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A test OTLP/HTTP traces receiver: accepts {@code POST /v1/traces} as the OpenTelemetry exporter sends it (an
 * {@code ExportTraceServiceRequest} in protobuf) and decodes the spans with a small reader of the protobuf wire
 * format — just the fields a test looks at, from opentelemetry-proto's {@code trace.proto}. Shared with the
 * distribution's end-to-end tests through this module's test JAR.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One received span; ids in lower-case hex, the parent empty for a root span. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, int kind,
                        Map<String, Object> attributes, List<String> linkedSpanIds, int statusCode,
                        String statusMessage) {

        public Object attribute(String key) {
            return attributes.get(key);
        }
    }

    public static final int KIND_INTERNAL = 1;
    public static final int KIND_SERVER = 2;
    public static final int STATUS_ERROR = 2;

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new ArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", exchange -> {
            byte[] body;
            try (InputStream in = "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            List<ReceivedSpan> decoded = decodeRequest(body);
            synchronized (this) {
                spans.addAll(decoded);
                notifyAll();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: everything accepted
            exchange.close();
        });
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces");
    }

    public synchronized List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The first span matching, waiting up to 20 s for the exporter's next batch. */
    public synchronized ReceivedSpan await(Predicate<ReceivedSpan> match, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            for (ReceivedSpan s : spans) {
                if (match.test(s)) {
                    return s;
                }
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("no span " + what + " received; got " + spans);
            }
            wait(left);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // --- the protobuf wire format: (field << 3 | type) keys; 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32

    private static List<ReceivedSpan> decodeRequest(byte[] body) {
        List<ReceivedSpan> out = new ArrayList<>();
        for (Field resourceSpans : fields(body, 1)) {          // ExportTraceServiceRequest.resource_spans
            for (Field scopeSpans : fields(resourceSpans.bytes, 2)) { // ResourceSpans.scope_spans
                for (Field span : fields(scopeSpans.bytes, 2)) {       // ScopeSpans.spans
                    out.add(decodeSpan(span.bytes));
                }
            }
        }
        return out;
    }

    private static ReceivedSpan decodeSpan(byte[] span) {
        String traceId = "", spanId = "", parent = "", name = "", statusMessage = "";
        int kind = 0, statusCode = 0;
        Map<String, Object> attributes = new LinkedHashMap<>();
        List<String> links = new ArrayList<>();
        for (Field f : fields(span, -1)) {
            switch (f.number) {
                case 1 -> traceId = HexFormat.of().formatHex(f.bytes);
                case 2 -> spanId = HexFormat.of().formatHex(f.bytes);
                case 4 -> parent = HexFormat.of().formatHex(f.bytes);
                case 5 -> name = new String(f.bytes, StandardCharsets.UTF_8);
                case 6 -> kind = (int) f.varint;
                case 9 -> {
                    String key = null;
                    Object value = null;
                    for (Field kv : fields(f.bytes, -1)) {
                        if (kv.number == 1) {
                            key = new String(kv.bytes, StandardCharsets.UTF_8);
                        } else if (kv.number == 2) {
                            value = anyValue(kv.bytes);
                        }
                    }
                    attributes.put(key, value);
                }
                case 13 -> fields(f.bytes, 2).forEach(l -> links.add(HexFormat.of().formatHex(l.bytes)));
                case 15 -> {
                    for (Field st : fields(f.bytes, -1)) {
                        if (st.number == 2) {
                            statusMessage = new String(st.bytes, StandardCharsets.UTF_8);
                        } else if (st.number == 3) {
                            statusCode = (int) st.varint;
                        }
                    }
                }
                default -> {
                }
            }
        }
        return new ReceivedSpan(traceId, spanId, parent, name, kind, attributes, links, statusCode, statusMessage);
    }

    private static Object anyValue(byte[] any) {
        for (Field v : fields(any, -1)) {
            switch (v.number) {
                case 1 -> {
                    return new String(v.bytes, StandardCharsets.UTF_8);
                }
                case 2 -> {
                    return v.varint != 0;
                }
                case 3 -> {
                    return v.varint;
                }
                case 4 -> {
                    return Double.longBitsToDouble(v.varint);
                }
                default -> {
                }
            }
        }
        return null;
    }

    private record Field(int number, long varint, byte[] bytes) {
    }

    /** The fields of a message, only those numbered {@code only} unless it is -1. */
    private static List<Field> fields(byte[] message, int only) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < message.length) {
            long key = varint(message, pos);
            int number = (int) (key >>> 3);
            int type = (int) (key & 7);
            Field f = switch (type) {
                case 0 -> new Field(number, varint(message, pos), null);
                case 1 -> {
                    long v = ByteBuffer.wrap(message, pos[0], 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    pos[0] += 8;
                    yield new Field(number, v, null);
                }
                case 2 -> {
                    int len = (int) varint(message, pos);
                    byte[] b = java.util.Arrays.copyOfRange(message, pos[0], pos[0] + len);
                    pos[0] += len;
                    yield new Field(number, 0, b);
                }
                case 5 -> {
                    long v = ByteBuffer.wrap(message, pos[0], 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    pos[0] += 4;
                    yield new Field(number, v, null);
                }
                default -> throw new IllegalArgumentException("unexpected protobuf wire type " + type);
            };
            if (only == -1 || number == only) {
                out.add(f);
            }
        }
        return out;
    }

    private static long varint(byte[] b, int[] pos) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[pos[0]++];
            result |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("malformed varint");
    }
}
