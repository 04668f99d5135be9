package io.mcpserver.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The JDK's WebSocket client, keeping every text message it receives and how the connection closed. The one
 * WebSocket JSON-RPC client of the server's tests: messages are taken by id ({@link #response}), by a predicate
 * ({@link #await}) or in arrival order ({@link #next}); upgrade headers (a bearer token, an Origin) are optional.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    private static final long TIMEOUT_MS = 15_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** How the server closed the connection. */
    public record Closed(int code, String reason) {
    }

    public final WebSocket socket;
    public final CompletableFuture<Closed> closed = new CompletableFuture<>();
    public final CompletableFuture<ByteBuffer> pong = new CompletableFuture<>();
    /** Counts the server's pings (the JDK client answers each with a pong by itself). */
    public final java.util.concurrent.Semaphore pings = new java.util.concurrent.Semaphore(0);
    private final List<JsonNode> inbox = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();

    private WsClient(URI uri, Map<String, String> headers, String... subprotocols) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        headers.forEach(builder::header);
        this.socket = builder.buildAsync(uri, this).orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
    }

    public static WsClient connect(URI uri, String... subprotocols) {
        return new WsClient(uri, Map.of(), subprotocols);
    }

    public static WsClient connectFrom(String origin, URI uri) {
        return new WsClient(uri, Map.of("Origin", origin));
    }

    /** Connects with these upgrade request headers (e.g. {@code Authorization}); a refused upgrade throws. */
    public static WsClient connectWith(Map<String, String> headers, URI uri, String... subprotocols) {
        return new WsClient(uri, headers, subprotocols);
    }

    public void send(String text) {
        socket.sendText(text, true).orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
    }

    public JsonNode response(Object id) throws InterruptedException {
        String key = String.valueOf(id);
        return await(m -> m.has("id") && !m.has("method") && m.get("id").asText().equals(key), "response " + id);
    }

    public synchronized JsonNode await(Predicate<JsonNode> match, String what) throws InterruptedException {
        JsonNode m = take(match, TIMEOUT_MS);
        if (m == null) {
            throw new AssertionError("no " + what + (closed.isDone() ? " before close " + closed.getNow(null)
                    : " in time") + "; received: " + texts);
        }
        return m;
    }

    /**
     * The response to {@code id} if it comes within {@code millis}, else null: for tests that bound the wait
     * themselves and say what a miss means.
     */
    public JsonNode responseWithin(Object id, long millis) throws InterruptedException {
        String key = String.valueOf(id);
        return take(m -> m.has("id") && !m.has("method") && m.get("id").asText().equals(key), millis);
    }

    /** The first message received that matches, taken out; null when none came within {@code millis} or it closed. */
    private synchronized JsonNode take(Predicate<JsonNode> match, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            for (Iterator<JsonNode> it = inbox.iterator(); it.hasNext(); ) {
                JsonNode m = it.next();
                if (match.test(m)) {
                    it.remove();
                    return m;
                }
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0 || closed.isDone()) {
                return null;
            }
            wait(Math.min(left, 100));
        }
    }

    /** The next message in arrival order, waiting for it; fails if none comes or the connection closes first. */
    public JsonNode next() throws InterruptedException {
        return await(m -> true, "message");
    }

    public synchronized List<String> texts() {
        return List.copyOf(texts);
    }

    public synchronized List<JsonNode> pending() {
        return List.copyOf(inbox);
    }

    public Closed awaitClose() {
        return closed.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (this) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                texts.add(text);
                try {
                    inbox.add(Json.parse(text));
                } catch (Exception e) {
                    texts.add("[not JSON] " + e.getMessage());
                }
                notifyAll();
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.release();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        pong.complete(message);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        synchronized (this) {
            notifyAll();
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(-1, String.valueOf(error)));
        synchronized (this) {
            notifyAll();
        }
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
