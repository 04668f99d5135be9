package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream's events leave as the bytes they were serialized to, framed in bytes: byte for byte what the text path
 * wrote before (each message serialized to a String, framed in a StringBuilder, encoded as UTF-8), whatever the
 * text: escapes, non-ASCII, surrogate pairs and unpaired surrogates, 70 KB texts, and data with line feeds
 * delivered from elsewhere (split into several {@code data:} lines).
 */
class SseFramingTest {

    private static final Duration NONE = Duration.ZERO;
    private static final Duration RETRY = Duration.ofMillis(500);
    private static final char[] AWKWARD = {'"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f',
        '\u0080', 'é', '€', '\u2028', '\ud83d', '\ude00', '\udbff', 'a', ' ', '~'};

    /** Collects the bytes a pump writes. */
    private static class Bytes implements SseStream.Connection {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int writes;
        int lastWrites;
        boolean afterLast;

        @Override
        public void writeLast(byte[] bytes, int offset, int length) {
            write(bytes, offset, length);
            lastWrites++;
        }

        @Override
        public void write(String text) {
            write(text.getBytes(StandardCharsets.UTF_8), 0, text.getBytes(StandardCharsets.UTF_8).length);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            afterLast |= lastWrites > 0;
            out.write(bytes, offset, length);
            writes++;
        }
    }

    @Test
    void queuedMessagesAreFramedByteForByteAsTheTextPathFramedThem() {
        Random random = new Random(14_4);
        for (boolean numbered : new boolean[] {true, false}) {
            for (int round = 0; round < 200; round++) {
                SseStream stream = new SseStream("p" + round, "test/c1", 1000, numbered);
                StringBuilder expected = new StringBuilder();
                int n = 1 + random.nextInt(12);
                for (int i = 1; i <= n; i++) {
                    ObjectNode m = message(random, round % 25 == 0 ? 70_000 : random.nextInt(60));
                    stream.send(m);
                    oldAppendEvent(expected, numbered ? "p" + round + "-" + i : null, Json.write(m));
                }
                stream.complete();
                Bytes written = new Bytes();
                assertEquals(SseStream.End.DRAINED, stream.pump(written, 0, NONE, NONE, RETRY));
                assertArrayEquals(expected.toString().getBytes(StandardCharsets.UTF_8), written.out.toByteArray());
                assertEquals(1, written.writes, "a batch leaves in one write");
            }
        }
    }

    /** A stream complete when first written goes in one last write (the HTTP response then has a length). */
    @Test
    void aStreamCompleteWhenFirstWrittenIsOneLastWrite() {
        SseStream stream = new SseStream("p1", "test/c1", 10, true);
        stream.send(Json.object().put("n", 1));
        stream.send(Json.object().put("n", 2));
        stream.complete();
        Bytes written = new Bytes();
        assertEquals(SseStream.End.DRAINED, stream.pump(written, 0, NONE, NONE, RETRY));
        assertEquals(1, written.writes);
        assertEquals(1, written.lastWrites);
        assertTrue(stream.isDrained());
    }

    /** Events written while the call goes on are plain writes; only the batch that ends the stream is the last. */
    @Test
    void onlyTheBatchThatEndsAStreamIsItsLastWrite() throws Exception {
        SseStream stream = new SseStream("p1", "test/c1", 10, true);
        CountDownLatch firstWritten = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Bytes written = new Bytes() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                super.write(bytes, offset, length);
                firstWritten.countDown();
                try {
                    proceed.await(); // the rest of the call happens while this event is on its way
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        CompletableFuture<SseStream.End> pump = CompletableFuture.supplyAsync(
                () -> stream.pump(written, 0, NONE, NONE, RETRY), command -> Thread.ofVirtual().start(command));
        stream.send(Json.object().put("n", 1));
        assertTrue(firstWritten.await(10, TimeUnit.SECONDS));
        stream.send(Json.object().put("n", 2));
        stream.send(Json.object().put("n", 3));
        stream.complete();
        proceed.countDown();
        assertEquals(SseStream.End.DRAINED, pump.get(10, TimeUnit.SECONDS));
        assertEquals(2, written.writes, "the first event, then the two that ended the stream");
        assertEquals(1, written.lastWrites);
        assertFalse(written.afterLast, "nothing is written after the last write");
        assertTrue(written.out.toString(StandardCharsets.UTF_8).endsWith("id: p1-3\nevent: message\ndata: {\"n\":3}\n\n"));
    }

    @Test
    void deliveredDataWithLineFeedsIsSplitIntoDataLinesAsBefore() {
        List<String> data = new ArrayList<>(List.of("{\"a\":1}", "line one\nline two", "\n", "\n\n", "x\n",
                "\nx", "é\n\ud83d\ude00\n\ud800", "no line feed at all \u2028 \r"));
        data.add("y".repeat(70_000) + "\n" + "z".repeat(1000));
        SseStream stream = new SseStream("g", "test/c1", 1000, true);
        StringBuilder expected = new StringBuilder();
        long seq = 0;
        for (String d : data) {
            stream.deliver(++seq, d);
            oldAppendEvent(expected, "g-" + seq, d);
        }
        stream.complete();
        Bytes written = new Bytes();
        assertEquals(SseStream.End.DRAINED, stream.pump(written, 0, NONE, NONE, RETRY));
        assertArrayEquals(expected.toString().getBytes(StandardCharsets.UTF_8), written.out.toByteArray());
    }

    @Test
    void aMirrorStillGetsEachEventsJsonText() {
        SseStream stream = new SseStream("p1", "test/c1", 10, true);
        List<String> mirrored = new ArrayList<>();
        // told of each event, the mirror reads what it has not copied yet back from the stream (PostStreamCopy)
        stream.mirror(() -> stream.keptAfter(mirrored.size()).forEach(e -> mirrored.add(e.seq() + " " + e.data())));
        ObjectNode m = Json.object().put("text", "é\ud83d\ude00\"\n");
        stream.send(m);
        assertEquals(List.of("1 " + Json.write(m)), mirrored);
        ObjectNode second = Json.object().put("n", 2);
        stream.send(second);
        assertEquals(List.of("1 " + Json.write(m), "2 " + Json.write(second)), mirrored, "each once, in order");
    }

    private static ObjectNode message(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(random.nextInt(4) == 0 ? AWKWARD[random.nextInt(AWKWARD.length)] : (char) ('a' + random.nextInt(26)));
        }
        ObjectNode m = Json.object().put("jsonrpc", "2.0").put("method", "notifications/progress");
        m.putObject("params").put("progress", random.nextInt(10) / 3.0).put("total", 10.0).put("message", text.toString())
                .put(text.length() > 8 ? text.substring(0, 8) : text.toString(), random.nextLong());
        return m;
    }

    /** The framing as it was written before events became bytes (SseWriter.appendEvent on a StringBuilder). */
    private static void oldAppendEvent(StringBuilder text, String id, String data) {
        if (id != null) {
            text.append("id: ").append(id).append('\n');
        }
        text.append("event: message\n");
        if (data.indexOf('\n') < 0) {
            text.append("data: ").append(data).append('\n');
        } else {
            for (String line : data.split("\n", -1)) {
                text.append("data: ").append(line).append('\n');
            }
        }
        text.append('\n');
    }
}
