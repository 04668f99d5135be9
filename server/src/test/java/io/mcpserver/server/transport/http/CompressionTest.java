package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gzip and deflate over a real HTTP listener with the JDK's client, which does not decompress by itself, so the
 * test sees the bytes on the wire: JSON replies compressed when asked and worth it, event streams compressed with
 * every event readable at once, compressed request bodies accepted and limited by their decompressed size.
 */
class CompressionTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    private static HttpResponse<InputStream> post(HttpFixture server, String sessionId, Map<String, String> headers,
                                                  byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/mcp")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static String session(HttpFixture server) throws Exception {
        HttpResponse<InputStream> r = post(server, null, Map.of("Accept", "application/json, text/event-stream"),
                INIT.getBytes(StandardCharsets.UTF_8));
        r.body().close();
        String sid = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        post(server, sid, Map.of("Accept", "application/json, text/event-stream"),
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(StandardCharsets.UTF_8)).body().close();
        return sid;
    }

    private static byte[] call(int id, String tool, String arguments) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}").getBytes(StandardCharsets.UTF_8);
    }

    /** The body as the client reads it: decompressed by what {@code Content-Encoding} says. */
    private static InputStream decoded(HttpResponse<InputStream> r) throws IOException {
        String coding = r.headers().firstValue("Content-Encoding").orElse("identity");
        return switch (coding) {
            case "gzip" -> new GZIPInputStream(r.body());
            case "deflate" -> new InflaterInputStream(r.body());
            case "identity" -> r.body();
            default -> throw new AssertionError("unexpected coding " + coding);
        };
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void jsonRepliesAreCompressedWhenTheClientAsksAndTheBodyIsWorthIt() throws Exception {
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.compression.min-size", "512"))) {
            String sid = session(server);
            String text = "compressible ".repeat(400);
            for (String coding : List.of("gzip", "deflate")) {
                HttpResponse<InputStream> r = post(server, sid, Map.of("Accept", "application/json",
                        "Accept-Encoding", coding), call(2, "echo", "{\"text\":\"" + text + "\"}"));
                assertEquals(200, r.statusCode());
                assertEquals(coding, r.headers().firstValue("Content-Encoding").orElse("identity"));
                assertTrue(r.headers().firstValue("Vary").orElse("").contains("Accept-Encoding"), r.headers().map().toString());
                byte[] body = decoded(r).readAllBytes();
                assertEquals(text, Json.parse(body).at("/result/content/0/text").asText());
            }
            HttpResponse<InputStream> preferred = post(server, sid, Map.of("Accept", "application/json",
                    "Accept-Encoding", "deflate;q=0.5, gzip, br"), call(3, "echo", "{\"text\":\"" + text + "\"}"));
            assertEquals("gzip", preferred.headers().firstValue("Content-Encoding").orElse("identity"));
            preferred.body().close();

            HttpResponse<InputStream> small = post(server, sid, Map.of("Accept", "application/json",
                    "Accept-Encoding", "gzip"), call(4, "echo", "{\"text\":\"tiny\"}"));
            assertTrue(small.headers().firstValue("Content-Encoding").isEmpty(), "below min-size: not worth it");
            assertEquals("tiny", Json.parse(small.body().readAllBytes()).at("/result/content/0/text").asText());
            for (String none : List.of("identity", "gzip;q=0, deflate;q=0", "")) {
                HttpResponse<InputStream> plain = post(server, sid, none.isEmpty() ? Map.of("Accept", "application/json")
                        : Map.of("Accept", "application/json", "Accept-Encoding", none), call(5, "echo", "{\"text\":\"" + text + "\"}"));
                assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty(), "not asked for: '" + none + "'");
                assertEquals(text, Json.parse(plain.body().readAllBytes()).at("/result/content/0/text").asText());
            }
        }
    }

    @Test
    void eventStreamsAreCompressedAndEveryEventArrivesAtOnce() throws Exception {
        // the legacy stream is opened by a GET: compressed only with get-streams (see getStreamsAreNotCompressed...)
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.legacy-sse", "true",
                "transports.http.compression.get-streams", "true"))) {
            // the legacy stream's first event names the endpoint, then nothing comes until a request: it must
            // arrive through the compressor without waiting for more
            HttpResponse<InputStream> sse = HTTP.send(HttpRequest.newBuilder(server.uri("/sse"))
                    .header("Accept", "text/event-stream").header("Accept-Encoding", "gzip").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals("gzip", sse.headers().firstValue("Content-Encoding").orElse("identity"));
            Lines events = new Lines(decoded(sse));
            String endpoint = nextData(events, 15);
            assertTrue(endpoint.contains("sessionId="), endpoint);
            HttpResponse<InputStream> accepted = HTTP.send(HttpRequest.newBuilder(server.uri(endpoint))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(INIT)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(202, accepted.statusCode());
            assertEquals("2025-11-25", Json.parse(nextData(events, 15)).at("/result/protocolVersion").asText());
            sse.body().close();

            // a call's own stream: its logs, then the result, each an event of its own
            String sid = session(server);
            HttpResponse<InputStream> stream = post(server, sid, Map.of("Accept", "application/json, text/event-stream",
                    "Accept-Encoding", "deflate"), call(7, "chatty", "{}"));
            assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            assertEquals("deflate", stream.headers().firstValue("Content-Encoding").orElse("identity"));
            List<JsonNode> messages = new ArrayList<>();
            Lines lines = new Lines(decoded(stream));
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("data:") && line.length() > 6) {
                    messages.add(Json.parse(line.substring(5).strip()));
                }
            }
            assertEquals(4, messages.size(), "three logs, then the result: " + messages);
            assertEquals("chatted", messages.getLast().at("/result/content/0/text").asText());
        }
    }

    @Test
    void aCallsStreamDeliversEachEventBeforeTheCallEnds() throws Exception {
        try (HttpFixture server = HttpFixture.start()) {
            String sid = session(server);
            HttpResponse<InputStream> stream = post(server, sid, Map.of("Accept", "application/json, text/event-stream",
                    "Accept-Encoding", "gzip"), call(8, "block", "{\"tag\":\"gz\"}"));
            assertEquals("gzip", stream.headers().firstValue("Content-Encoding").orElse("identity"));
            assertEquals("gz", server.blockStarted.poll(15, TimeUnit.SECONDS));
            Lines lines = new Lines(decoded(stream));
            // the priming event (an id, no message) was flushed through the compressor while the call still runs
            String first = lines.readLine();
            assertTrue(first.startsWith("id:") || first.startsWith("retry:") || first.startsWith("event:"), first);
            server.release("gz");
            String result = nextData(lines, 15);
            assertEquals("released gz", Json.parse(result).at("/result/content/0/text").asText());
        }
    }

    /**
     * The streams a GET opens stay open as long as their client, mostly idle: by default they hold no compressor
     * (about 260 KB of native memory each), while a POST's stream, which ends with its call, is still compressed.
     */
    @Test
    void getStreamsAreNotCompressedByDefaultButAPostsStreamIs() throws Exception {
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.legacy-sse", "true"))) {
            HttpResponse<InputStream> sse = HTTP.send(HttpRequest.newBuilder(server.uri("/sse"))
                    .header("Accept", "text/event-stream").header("Accept-Encoding", "gzip").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertTrue(sse.headers().firstValue("Content-Encoding").isEmpty(), sse.headers().map().toString());
            assertTrue(nextData(new Lines(sse.body()), 15).contains("sessionId="), "the endpoint event, as it is");
            sse.body().close();

            String sid = session(server);
            HttpResponse<InputStream> get = HTTP.send(HttpRequest.newBuilder(server.uri("/mcp"))
                    .header("Accept", "text/event-stream").header("Accept-Encoding", "gzip")
                    .header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-11-25").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, get.statusCode());
            assertEquals("text/event-stream", get.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            assertTrue(get.headers().firstValue("Content-Encoding").isEmpty(), get.headers().map().toString());
            String priming = new Lines(get.body()).readLine();
            assertTrue(priming.startsWith("id:"), "plain text on the wire: " + priming);
            get.body().close();

            HttpResponse<InputStream> stream = post(server, sid, Map.of("Accept", "application/json, text/event-stream",
                    "Accept-Encoding", "gzip"), call(12, "chatty", "{}"));
            assertEquals("gzip", stream.headers().firstValue("Content-Encoding").orElse("identity"));
            decoded(stream).readAllBytes();
        }
    }

    @Test
    void withEventStreamsOffOrCompressionOffNothingIsCompressed() throws Exception {
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.compression.event-streams", "false",
                "transports.http.compression.min-size", "16"))) {
            String sid = session(server);
            HttpResponse<InputStream> stream = post(server, sid, Map.of("Accept", "application/json, text/event-stream",
                    "Accept-Encoding", "gzip"), call(9, "chatty", "{}"));
            assertTrue(stream.headers().firstValue("Content-Encoding").isEmpty(), stream.headers().map().toString());
            stream.body().readAllBytes();
            HttpResponse<InputStream> json = post(server, sid, Map.of("Accept", "application/json",
                    "Accept-Encoding", "gzip"), call(10, "echo", "{\"text\":\"" + "x".repeat(100) + "\"}"));
            assertEquals("gzip", json.headers().firstValue("Content-Encoding").orElse("identity"), "JSON still is");
            json.body().close();
        }
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.compression.enabled", "false"))) {
            String sid = session(server);
            HttpResponse<InputStream> json = post(server, sid, Map.of("Accept", "application/json",
                    "Accept-Encoding", "gzip"), call(11, "echo", "{\"text\":\"" + "x".repeat(5000) + "\"}"));
            assertTrue(json.headers().firstValue("Content-Encoding").isEmpty());
            json.body().close();
        }
    }

    @Test
    void compressedRequestBodiesAreAcceptedAndLimitedByTheirDecompressedSize() throws Exception {
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.max-message-size", "64KiB"))) {
            HttpResponse<InputStream> gz = post(server, null, Map.of("Accept", "application/json, text/event-stream",
                    "Content-Encoding", "gzip"), gzip(INIT.getBytes(StandardCharsets.UTF_8)));
            assertEquals(200, gz.statusCode());
            String sid = gz.headers().firstValue("Mcp-Session-Id").orElseThrow();
            gz.body().close();
            ByteArrayOutputStream zlib = new ByteArrayOutputStream();
            String text = "y".repeat(30_000);
            try (DeflaterOutputStream d = new DeflaterOutputStream(zlib)) {
                d.write(call(2, "echo", "{\"text\":\"" + text + "\"}"));
            }
            HttpResponse<InputStream> deflated = post(server, sid, Map.of("Accept", "application/json",
                    "Content-Encoding", "deflate"), zlib.toByteArray());
            assertEquals(200, deflated.statusCode());
            assertEquals(text, Json.parse(deflated.body().readAllBytes()).at("/result/content/0/text").asText());

            // 200 MB of spaces inside a JSON string: about 200 KB of gzip... too much to declare. 20 MB: ~20 KB, under
            // the 64 KiB limit as sent, far over it once inflated
            byte[] bomb = gzip(bombJson(20 << 20));
            assertTrue(bomb.length < 64 * 1024, "the bomb fits the limit as sent: " + bomb.length);
            long started = System.nanoTime();
            HttpResponse<InputStream> refused = post(server, sid, Map.of("Accept", "application/json",
                    "Content-Encoding", "gzip"), bomb);
            String answer = new String(refused.body().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(413, refused.statusCode(), answer);
            assertTrue(answer.contains("once decompressed"), answer);
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20), "refused without inflating it all");

            HttpResponse<InputStream> corrupt = post(server, sid, Map.of("Accept", "application/json",
                    "Content-Encoding", "gzip"), "not gzip at all".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, corrupt.statusCode());
            corrupt.body().close();
            HttpResponse<InputStream> unknown = post(server, sid, Map.of("Accept", "application/json",
                    "Content-Encoding", "br"), INIT.getBytes(StandardCharsets.UTF_8));
            assertEquals(400, unknown.statusCode(), "a coding we cannot read");
            unknown.body().close();

            HttpResponse<InputStream> after = post(server, sid, Map.of("Accept", "application/json"),
                    call(3, "echo", "{\"text\":\"still here\"}"));
            assertEquals("still here", Json.parse(after.body().readAllBytes()).at("/result/content/0/text").asText());
        }
    }

    /** A tools/call whose argument is {@code size} spaces: compresses a thousandfold. */
    private static byte[] bombJson(int size) {
        byte[] head = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}}}".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + size + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        java.util.Arrays.fill(all, head.length, head.length + size, (byte) ' ');
        System.arraycopy(tail, 0, all, head.length + size, tail.length);
        return all;
    }

    /**
     * Lines read a byte at a time: an {@code InputStreamReader} over an inflating stream would wait to fill its
     * buffer (the stream always claims more is available), hiding whether each event arrived on its own.
     */
    private static final class Lines {
        private final InputStream in;

        Lines(InputStream in) {
            this.in = in;
        }

        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) >= 0; ) {
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }
    }

    /** The data of the next event that has some, waiting at most {@code seconds}. */
    private static String nextData(Lines events, int seconds) throws Exception {
        var line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = events.readLine()) != null; ) {
                    if (l.startsWith("data:") && l.length() > 6) {
                        return l.substring(5).strip();
                    }
                }
                return null;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String data = line.get(seconds, TimeUnit.SECONDS);
        assertTrue(data != null, "the stream ended");
        return data;
    }
}
