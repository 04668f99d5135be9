package io.mcpserver.server.transport.stdio;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.transport.TransportFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.mcpserver.server.transport.TransportFixture.INITIALIZED;
import static io.mcpserver.server.transport.TransportFixture.callTool;
import static io.mcpserver.server.transport.TransportFixture.initialize;
import static io.mcpserver.server.transport.TransportFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stdio transport on its own, on piped streams: lines in, one JSON message per line out, end of input. */
class StdioTransportTest {

    private static final int LIMIT = 1024;

    private final TransportFixture fixture = new TransportFixture();
    private final PipedOutputStream stdin = new PipedOutputStream();
    private final Stdout stdout = new Stdout();
    private final CountDownLatch ended = new CountDownLatch(1);
    /** What stdout held when the transport said its input ended. */
    private volatile String outputAtEnd;
    private StdioTransport transport;

    /** stdout as the transport writes it, whole lines at a time. */
    private static final class Stdout extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            notifyAll();
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        /** Every complete line written so far, each of which must be one JSON-RPC message. */
        synchronized List<JsonNode> messages() {
            List<JsonNode> messages = new ArrayList<>();
            String text = text();
            for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                try {
                    JsonNode m = Json.parse(line);
                    assertTrue(m.isObject() && m.path("jsonrpc").asText().equals("2.0"), line);
                    messages.add(m);
                } catch (IOException e) {
                    throw new AssertionError("stdout carries a line that is not JSON: " + line, e);
                }
            }
            return messages;
        }

        synchronized JsonNode await(Predicate<JsonNode> match, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                for (JsonNode m : messages()) {
                    if (match.test(m)) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " on stdout: " + text());
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private void start() throws IOException {
        PipedInputStream in = new PipedInputStream(stdin, 1 << 16);
        transport = new StdioTransport(fixture.core, in, stdout, LIMIT, TransportFixture.anonymous(), () -> {
            outputAtEnd = stdout.text();
            ended.countDown();
        });
        transport.start();
    }

    private void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private JsonNode response(int id) throws InterruptedException {
        return stdout.await(m -> m.path("id").asInt(-1) == id && !m.has("method"), "response " + id);
    }

    @AfterEach
    void tearDown() throws IOException {
        stdin.close();
        if (transport != null) {
            transport.close();
        }
    }

    @Test
    void linesInGetOneJsonMessagePerLineOut() throws Exception {
        start();
        send(initialize(1));
        assertEquals("2025-11-25", response(1).at("/result/protocolVersion").asText());
        send(INITIALIZED);
        stdin.write((callTool(2, "echo", "{\"text\":\"crlf\"}") + "\r\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        assertEquals("crlf", response(2).at("/result/content/0/text").asText(), "a CRLF line is a line too");
        send("");
        send("{not json");
        JsonNode parseError = stdout.await(m -> m.path("error").path("code").asInt() == -32700, "a parse error");
        assertTrue(parseError.get("id").isNull(), parseError.toString());
        send(request(3, "ping", null));
        assertTrue(response(3).has("result"), "the stream goes on after bad input");
        assertEquals(1, transport.connectionCounts().get("stdio"));
    }

    @Test
    void aLineOverTheLimitIsRefusedAndTheNextOneServed() throws Exception {
        start();
        send(initialize(1));
        response(1);
        send(callTool(2, "echo", "{\"text\":\"" + "x".repeat(LIMIT * 4) + "\"}"));
        JsonNode refused = stdout.await(m -> m.has("error") && m.path("id").isNull(), "the refusal");
        assertEquals(-32600, refused.at("/error/code").asInt(), refused.toString());
        assertTrue(refused.at("/error/message").asText().contains("limit of " + LIMIT), refused.toString());
        send(callTool(3, "echo", "{\"text\":\"small\"}"));
        assertEquals("small", response(3).at("/result/content/0/text").asText());
        assertTrue(stdout.messages().stream().noneMatch(m -> m.path("id").asInt(-1) == 2), "the long line never ran");
    }

    @Test
    void endOfInputLetsTheRunningCallAnswerThenEnds() throws Exception {
        start();
        send(initialize(1));
        response(1);
        send(INITIALIZED);
        send(callTool(2, "count", "{\"n\":40}"));
        stdin.close(); // the client is done writing; its call is still running
        assertTrue(ended.await(30, TimeUnit.SECONDS), "the transport reports the end of its input");
        assertTrue(outputAtEnd.contains("\"id\":2") && outputAtEnd.contains("counted to 40"),
                "the running call was answered before the transport ended: " + outputAtEnd);
        assertEquals(0, transport.connectionCounts().get("stdio"), "the session is closed");
    }
}
