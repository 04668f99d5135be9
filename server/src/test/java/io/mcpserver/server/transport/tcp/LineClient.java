package io.mcpserver.server.transport.tcp;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/** A raw NDJSON client on a socket, as {@code nc} would be: sends lines, keeps every line it receives. */
final class LineClient implements AutoCloseable {

    private static final long TIMEOUT_MS = 15_000;

    final Socket socket;
    private final OutputStream out;
    private final List<String> lines = new ArrayList<>();
    private final List<JsonNode> inbox = new ArrayList<>();
    private boolean eof;

    LineClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        Thread.ofVirtual().start(this::read);
    }

    static LineClient connect(int port) throws IOException {
        return new LineClient(new Socket("127.0.0.1", port));
    }

    void send(String line) throws IOException {
        sendRaw((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The response with this id (numbers and strings both), waiting for it. */
    JsonNode response(Object id) throws InterruptedException {
        String key = String.valueOf(id);
        return await(m -> m.has("id") && !m.has("method") && m.get("id").asText().equals(key), "response " + id);
    }

    /** The first message not yet taken that matches, waiting for it. */
    synchronized JsonNode await(Predicate<JsonNode> match, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (true) {
            for (Iterator<JsonNode> it = inbox.iterator(); it.hasNext(); ) {
                JsonNode m = it.next();
                if (match.test(m)) {
                    it.remove();
                    return m;
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

    /** Waits for the server to close its side; true if it did in time. */
    synchronized boolean awaitEof(long millis) throws InterruptedException {
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

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized List<JsonNode> pending() {
        return List.copyOf(inbox);
    }

    /** Leaves abruptly: a TCP reset instead of an orderly close. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                JsonNode message = Json.parse(line);
                synchronized (this) {
                    lines.add(line);
                    inbox.add(message);
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
