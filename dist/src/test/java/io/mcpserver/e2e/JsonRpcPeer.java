package io.mcpserver.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A raw newline-delimited JSON-RPC peer on a pair of streams (a server's stdio, or a TCP socket):
 * for tests that must send what no SDK would, such as malformed lines. Every line the server sends
 * is parsed and kept; a line that is not a JSON object fails every later {@link #await} (and {@link #assertClean}):
 * a server that writes anything else on its protocol stream is broken for real clients.
 */
public final class JsonRpcPeer implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /** The revision this peer asks for in {@link #initialize()}. */
    public static final String PROTOCOL_VERSION = "2025-11-25";

    private final OutputStream out;
    private final List<JsonNode> inbox = new ArrayList<>();
    private final List<JsonNode> history = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(1);
    private final Thread reader;
    private final List<String> notJson = new ArrayList<>();
    private boolean closed;

    public JsonRpcPeer(InputStream in, OutputStream out) {
        this.out = out;
        this.reader = new Thread(() -> read(in), "json-rpc-peer-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** A peer on a server started with {@code stdio()}. */
    public static JsonRpcPeer stdio(ServerProcess server) {
        return new JsonRpcPeer(server.stdout(), server.stdin());
    }

    /** Sends one line as given (a newline is added). */
    public synchronized void sendLine(String line) {
        sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends raw bytes as given (no newline added): for framing tests. */
    public synchronized void sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void send(JsonNode message) {
        try {
            sendLine(JSON.writeValueAsString(message));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A fresh request id. */
    public long nextId() {
        return ids.getAndIncrement();
    }

    /** Sends a request and returns the response (result or error) with its id. */
    public JsonNode request(String method, Object params) throws InterruptedException {
        return request(method, params, DEFAULT_TIMEOUT);
    }

    public JsonNode request(String method, Object params, Duration timeout) throws InterruptedException {
        long id = nextId();
        ObjectNode request = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        if (params != null) {
            request.set("params", JSON.valueToTree(params));
        }
        send(request);
        return awaitResponse(id, timeout);
    }

    public void notify(String method, Object params) {
        ObjectNode notification = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            notification.set("params", JSON.valueToTree(params));
        }
        send(notification);
    }

    /** The legacy handshake: {@code initialize} then {@code notifications/initialized}; returns the initialize result. */
    public JsonNode initialize() throws InterruptedException {
        JsonNode response = request("initialize", Map.of(
                "protocolVersion", PROTOCOL_VERSION,
                "capabilities", Map.of(),
                "clientInfo", Map.of("name", "mcp-server-e2e", "version", "0")));
        if (!response.has("result")) {
            throw new AssertionError("initialize failed: " + response);
        }
        notify("notifications/initialized", null);
        return response.get("result");
    }

    /** Waits for the response with this id. */
    public JsonNode awaitResponse(long id, Duration timeout) throws InterruptedException {
        return await(m -> m.path("id").isIntegralNumber() && m.path("id").asLong() == id
                && (m.has("result") || m.has("error")), timeout, "a response to id " + id);
    }

    /**
     * Waits for the first message not yet taken that matches, and takes it. Messages that don't match
     * stay for later calls (notifications, other responses).
     */
    public synchronized JsonNode await(Predicate<JsonNode> match, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Iterator<JsonNode> it = inbox.iterator(); it.hasNext(); ) {
                JsonNode message = it.next();
                if (match.test(message)) {
                    it.remove();
                    return message;
                }
            }
            if (!notJson.isEmpty()) {
                throw new AssertionError("the server wrote a line that is not a JSON-RPC message: "
                        + abbreviate(notJson.getFirst(), 500));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || closed) {
                throw new AssertionError("no " + what + " within " + timeout + (closed ? " (stream closed)" : "")
                        + "; received so far: " + abbreviate(history.toString(), 4000));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Fails if the server wrote a line that is not a JSON-RPC message. */
    public synchronized void assertClean() {
        if (!notJson.isEmpty()) {
            throw new AssertionError("the server wrote " + notJson.size() + " line(s) that are not JSON-RPC messages, "
                    + "the first: " + abbreviate(notJson.getFirst(), 500));
        }
    }

    /** Every message received so far, in order (taken or not). */
    public synchronized List<JsonNode> received() {
        return List.copyOf(history);
    }

    /** Messages received but not taken by {@link #await}, e.g. notifications. */
    public synchronized List<JsonNode> pending() {
        return List.copyOf(inbox);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void read(InputStream in) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode message;
                try {
                    message = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    message = null;
                }
                if (message == null || !message.isObject()) {
                    // stdout is the protocol channel: one stray line (a println, a banner) breaks real clients
                    synchronized (this) {
                        notJson.add(line);
                        notifyAll();
                    }
                    continue;
                }
                synchronized (this) {
                    inbox.add(message);
                    history.add(message);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the stream broke: same as closed for a waiting test
        } finally {
            synchronized (this) {
                closed = true;
                notifyAll();
            }
        }
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
