package io.mcpserver.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A raw NDJSON client on a socket, as {@code nc} would be: sends lines, keeps every line it receives. The one
 * line-framed JSON-RPC client of the server's tests (TCP, and TLS when given an {@code SSLSocket}); messages are
 * taken either by id ({@link #response}), by a predicate ({@link #await}) or in arrival order ({@link #read}).
 */
public final class LineClient implements AutoCloseable {

    private static final long DEFAULT_TIMEOUT_MS = 15_000;

    public final Socket socket;
    private final OutputStream out;
    private final List<String> lines = new ArrayList<>();
    private final List<JsonNode> inbox = new ArrayList<>();
    /** The text of each message in {@code inbox}, at the same index. */
    private final List<String> unread = new ArrayList<>();
    private boolean eof;
    private long timeoutMs = DEFAULT_TIMEOUT_MS;

    /** Wraps a connected socket (plain or TLS); the reading starts at once. */
    public LineClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        Thread.ofVirtual().start(this::readLines);
    }

    public static LineClient connect(int port) throws IOException {
        return new LineClient(new Socket("127.0.0.1", port));
    }

    /** How long {@link #await}, {@link #response} and {@link #read} wait for a message (15 s unless set). */
    public LineClient timeout(Duration timeout) {
        this.timeoutMs = timeout.toMillis();
        return this;
    }

    public void send(String line) throws IOException {
        sendRaw((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The response with this id (numbers and strings both), waiting for it. */
    public JsonNode response(Object id) throws InterruptedException {
        String key = String.valueOf(id);
        return await(m -> m.has("id") && !m.has("method") && m.get("id").asText().equals(key), "response " + id);
    }

    /** The first message not yet taken that matches, waiting for it. */
    public synchronized JsonNode await(Predicate<JsonNode> match, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            for (int i = 0; i < inbox.size(); i++) {
                if (match.test(inbox.get(i))) {
                    unread.remove(i);
                    return inbox.remove(i);
                }
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0 || eof) {
                throw new AssertionError("no " + what + (eof ? " before end of stream" : " in time")
                        + "; lines so far: " + lines);
            }
            wait(left);
        }
    }

    /**
     * The next message in arrival order, waiting for it; null once the server has closed its side and every
     * message has been taken (as {@code readLine()} would return at the end of the stream).
     */
    public synchronized JsonNode read() throws InterruptedException {
        if (!awaitNext()) {
            return null;
        }
        unread.remove(0);
        return inbox.remove(0);
    }

    /** The next message in arrival order as the server wrote it; null at the end of the stream, like {@link #read}. */
    public synchronized String readText() throws InterruptedException {
        if (!awaitNext()) {
            return null;
        }
        inbox.remove(0);
        return unread.remove(0);
    }

    /** Waits for a message not yet taken: true when there is one, false at the end of the stream. */
    private boolean awaitNext() throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (inbox.isEmpty()) {
            long left = deadline - System.currentTimeMillis();
            if (eof) {
                return false;
            }
            if (left <= 0) {
                throw new AssertionError("no message in time; lines so far: " + lines);
            }
            wait(left);
        }
        return true;
    }

    /** The next message in arrival order; fails if the connection ends first. */
    public JsonNode next() throws InterruptedException {
        JsonNode message = read();
        if (message == null) {
            throw new AssertionError("connection closed; lines so far: " + lines());
        }
        return message;
    }

    /** Sends a line and returns the next message. */
    public JsonNode request(String line) throws IOException, InterruptedException {
        send(line);
        return read();
    }

    /** Sends this initialize request, takes its answer, then sends {@code notifications/initialized}. */
    public JsonNode initialize(String initializeRequest) throws IOException, InterruptedException {
        JsonNode response = request(initializeRequest);
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return response;
    }

    /** Waits for the server to close its side; true if it did in time. */
    public synchronized boolean awaitEof(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!eof) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized List<JsonNode> pending() {
        return List.copyOf(inbox);
    }

    /** Leaves abruptly: a TCP reset instead of an orderly close. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void readLines() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                JsonNode message = Json.parse(line);
                synchronized (this) {
                    lines.add(line);
                    inbox.add(message);
                    unread.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // closed or reset: end of stream for the test
        } finally {
            synchronized (this) {
                eof = true;
                notifyAll();
            }
        }
    }
}
