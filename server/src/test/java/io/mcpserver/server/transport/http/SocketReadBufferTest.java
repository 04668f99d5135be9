package io.mcpserver.server.transport.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle GET stream's connection lends out Helidon's 8 KB socket read buffer (bench's scale step: a third of an idle
 * stream's heap) and gets one back before it reads its next request. One raw HTTP/1.1 connection carries the whole
 * life of a session: initialize, the GET stream (which still gets its keep-alives), and after the stream ended
 * (DELETE from another connection) a request far larger than the lent buffer.
 */
class SocketReadBufferTest {

    private static HttpFixture server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpFixture.start(Map.of("transports.http.sse-keep-alive", "200ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theHelidonInUseHasTheBufferThisLendsOut() {
        // a Helidon upgrade that renamed or dropped PlainSocket.readBuffer makes every idle stream 8 KB bigger again
        assertTrue(SocketReadBuffer.available(), "io.helidon.common.socket.PlainSocket.readBuffer is gone");
    }

    @Test
    void aHeldGetStreamLendsItsReadBufferAndTheConnectionGetsOneBackForItsNextRequest() throws Exception {
        int before = SocketReadBuffer.lent();
        try (Socket socket = new Socket("127.0.0.1", server.transport.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            post(out, null, initialize("raw"));
            Response init = Response.read(in);
            assertEquals(200, init.status);
            String session = init.header("mcp-session-id");
            post(out, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            assertEquals(202, Response.read(in).status);

            out.write(("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + session
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Response stream = Response.head(in);
            assertEquals(200, stream.status);
            assertTrue(stream.header("content-type").startsWith("text/event-stream"));
            await(() -> SocketReadBuffer.lent() == before + 1, "the held stream lends out its read buffer");
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains(SseWriter.KEEP_ALIVE)) { // the stream goes on as before
                seen.append(Response.chunk(in));
            }

            McpHttpClient other = server.client();
            other.sessionId = session;
            assertEquals(200, other.delete().status()); // ends the stream
            while (!Response.chunk(in).isEmpty()) {
                // what the stream still had to say, up to its last chunk
            }
            await(() -> SocketReadBuffer.lent() == before, "the ended stream's connection has its buffer back");

            String big = initialize("x".repeat(20 * 1024)); // 20 KB: read through the buffer it got back
            post(out, null, big);
            Response again = Response.read(in);
            assertEquals(200, again.status, again.body);
            assertTrue(again.body.contains("\"protocolVersion\""), again.body);
        }
    }

    private static String initialize(String clientName) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"" + clientName + "\",\"version\":\"1\"}}}";
    }

    private static void post(OutputStream out, String session, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\n"
                + (session == null ? "" : "Mcp-Session-Id: " + session + "\r\n")
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (lent: " + SocketReadBuffer.lent() + ")");
            Thread.sleep(10);
        }
    }

    /** One HTTP/1.1 response read off a raw connection: a body of Content-Length, or the chunks read one by one. */
    private record Response(int status, String headers, String body) {

        static Response head(InputStream in) throws IOException {
            String head = line(in);
            StringBuilder headers = new StringBuilder();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                headers.append(l.toLowerCase(Locale.ROOT)).append('\n');
            }
            return new Response(Integer.parseInt(head.split(" ")[1]), headers.toString(), "");
        }

        static Response read(InputStream in) throws IOException {
            Response head = head(in);
            String length = head.header("content-length");
            String body = length == null ? "" : new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
            return new Response(head.status, head.headers, body);
        }

        /** The next chunk of a chunked body; empty for the last one. */
        static String chunk(InputStream in) throws IOException {
            int size = Integer.parseInt(line(in).trim(), 16);
            String text = new String(in.readNBytes(size), StandardCharsets.UTF_8);
            line(in);
            return text;
        }

        String header(String name) {
            for (String l : headers.split("\n")) {
                if (l.startsWith(name + ":")) {
                    return l.substring(name.length() + 1).strip();
                }
            }
            return null;
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    bytes.write(b);
                }
            }
            return bytes.toString(StandardCharsets.US_ASCII);
        }
    }
}
