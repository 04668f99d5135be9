package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A Streamable HTTP client on {@code java.net.http}, raw enough to test the edges of the transport. */
final class McpHttpClient {

    static final String BOTH = "application/json, text/event-stream";
    static final String STREAM_ONLY = "text/event-stream";
    static final Duration WAIT = Duration.ofSeconds(10);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    final URI endpoint;
    String sessionId;
    private final AtomicInteger ids = new AtomicInteger(1);

    McpHttpClient(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** One HTTP exchange; the body is read as it comes (SSE) through {@link #events}. */
    record Reply(int status, Map<String, String> headers, InputStream body) {

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        String text() throws IOException {
            try (InputStream in = body) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        JsonNode json() throws IOException {
            return Json.parse(text());
        }

        SseEvents events() {
            return new SseEvents(body);
        }
    }

    /** Initializes (JSON reply), sends {@code notifications/initialized}, keeps the session id. */
    McpHttpClient initialize() throws Exception {
        return initialize("{}");
    }

    McpHttpClient initialize(String capabilities) throws Exception {
        Reply reply = post(request("initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":"
                + capabilities + ",\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}"), "application/json");
        String text = reply.text();
        assertEquals(200, reply.status(), "initialize: " + text);
        sessionId = reply.header("mcp-session-id");
        assertNotNull(sessionId, "no Mcp-Session-Id on the initialize response");
        JsonNode body = Json.parse(text);
        assertNotNull(body.get("result"), "initialize: " + body);
        assertEquals(202, post(notification("notifications/initialized", null), BOTH).status());
        return this;
    }

    String request(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + ids.getAndIncrement() + ",\"method\":\"" + method + "\""
                + (params == null ? "" : ",\"params\":" + params) + "}";
    }

    static String notification(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\"" + (params == null ? "" : ",\"params\":" + params) + "}";
    }

    /** POSTs with this client's session id and protocol version. */
    Reply post(String body, String accept) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", accept);
        headers.put("Content-Type", "application/json");
        if (sessionId != null) {
            headers.put("Mcp-Session-Id", sessionId);
            headers.put("MCP-Protocol-Version", "2025-11-25");
        }
        return send("POST", body, headers);
    }

    /** The tool call's JSON response (JSON reply). */
    JsonNode call(String tool, String arguments) throws Exception {
        Reply reply = post(request("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}"),
                "application/json");
        assertEquals(200, reply.status());
        return reply.json();
    }

    Reply get(Map<String, String> extra) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "text/event-stream");
        if (sessionId != null) {
            headers.put("Mcp-Session-Id", sessionId);
            headers.put("MCP-Protocol-Version", "2025-11-25");
        }
        headers.putAll(extra);
        return send("GET", null, headers);
    }

    Reply delete() throws Exception {
        return send("DELETE", null, Map.of("Mcp-Session-Id", sessionId));
    }

    Reply send(String method, String body, Map<String, String> headers) throws Exception {
        return exchange(endpoint, method, body, headers);
    }

    static Reply exchange(URI uri, String method, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        Map<String, String> h = new LinkedHashMap<>();
        r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), String.join(", ", v)));
        return new Reply(r.statusCode(), h, r.body());
    }

    /** SSE events parsed on a reader thread; {@link #next} waits for the next one. */
    static final class SseEvents implements AutoCloseable {

        record Event(String id, String event, String data, Long retry) {
            JsonNode json() throws IOException {
                return Json.parse(data);
            }
        }

        private static final Event END = new Event(null, "<end>", null, null);
        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        private final InputStream in;

        SseEvents(InputStream in) {
            this.in = in;
            Thread.ofVirtual().start(this::read);
        }

        private void read() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String id = null;
                String event = null;
                Long retry = null;
                StringBuilder data = null;
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (data != null || id != null || event != null) {
                            queue.add(new Event(id, event, data == null ? null : data.toString(), retry));
                        }
                        id = null;
                        event = null;
                        retry = null;
                        data = null;
                    } else if (line.startsWith(":")) {
                        continue;
                    } else {
                        int colon = line.indexOf(':');
                        String field = colon < 0 ? line : line.substring(0, colon);
                        String value = colon < 0 ? "" : line.substring(colon + 1);
                        if (value.startsWith(" ")) {
                            value = value.substring(1);
                        }
                        switch (field) {
                            case "id" -> id = value;
                            case "event" -> event = value;
                            case "retry" -> retry = Long.parseLong(value);
                            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                            default -> { }
                        }
                    }
                }
            } catch (IOException e) {
                // closed by the test or the server
            } finally {
                queue.add(END);
            }
        }

        /** The next event, or null when the stream ended. */
        Event next() throws InterruptedException {
            Event e = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no SSE event within " + WAIT);
            }
            return e == END ? null : e;
        }

        /** The next event within {@code wait}; null when the stream ended or nothing came. */
        Event poll(Duration wait) throws InterruptedException {
            Event e = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            return e == END ? null : e;
        }

        /** The next event that carries a JSON-RPC message (skips priming events). */
        Event nextMessage() throws InterruptedException {
            Event e;
            do {
                e = next();
            } while (e != null && (e.data() == null || e.data().isEmpty()));
            return e;
        }

        /** True when the stream ends (and nothing else comes) within the wait. */
        boolean ends() throws InterruptedException {
            return next() == null;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
