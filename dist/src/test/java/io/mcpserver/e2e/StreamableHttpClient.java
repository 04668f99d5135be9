package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Streamable HTTP client written by hand (revision 2025-06-18, a client that accepts both JSON and event streams),
 * for the end-to-end tests that must see the wire itself: which node a request lands on, event ids, a connection
 * dropped mid-stream, {@code Last-Event-ID}. The cluster ITs share it.
 */
final class StreamableHttpClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String clientName;
    private final Duration timeout;

    /** @param timeout of each request, up to the end of its response (streams included) */
    StreamableHttpClient(String clientName, Duration timeout) {
        this.clientName = clientName;
        this.timeout = timeout;
    }

    HttpClient http() {
        return http;
    }

    /** A request to {@code uri} with the headers every MCP client sends, in {@code session} when not null. */
    HttpRequest.Builder request(URI uri, String session) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-06-18");
        return session == null ? b : b.header("Mcp-Session-Id", session);
    }

    HttpResponse<InputStream> post(URI uri, String session, String body) throws Exception {
        return http.send(request(uri, session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Initializes a session on {@code node}; its id. */
    String initialize(URI node) throws Exception {
        HttpResponse<InputStream> init = post(node, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"%s","version":"1"}}}""".formatted(clientName));
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        reply(init, 1);
        assertEquals(202, post(node, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .statusCode());
        return session;
    }

    /** A standalone GET stream whose messages arrive in a queue. */
    Events openGet(URI uri, String session) throws Exception {
        HttpResponse<InputStream> response = http.send(request(uri, session).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        return events(response);
    }

    static String call(int id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    /** Every message of a response (a JSON body, or each event of an SSE stream until it ends). */
    static List<JsonNode> messages(HttpResponse<InputStream> response) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        String type = response.headers().firstValue("Content-Type").orElse("");
        try (InputStream in = response.body()) {
            if (!type.startsWith("text/event-stream")) {
                byte[] body = in.readAllBytes();
                assertTrue(response.statusCode() == 200, response.statusCode() + " " + new String(body, StandardCharsets.UTF_8));
                all.add(JSON.readTree(body));
                return all;
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (JsonNode m = nextMessage(reader); m != null; m = nextMessage(reader)) {
                all.add(m);
            }
        }
        return all;
    }

    /** The response with {@code id}, after any notifications. */
    static JsonNode reply(HttpResponse<InputStream> response, int id) throws Exception {
        List<JsonNode> all = messages(response);
        return all.stream().filter(m -> m.path("id").asInt(-1) == id && !m.has("method")).findFirst()
                .orElseGet(() -> fail("no response " + id + " in " + all));
    }

    /** The next {@code data:} message of an SSE stream; null at its end. */
    static JsonNode nextMessage(BufferedReader reader) throws Exception {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.startsWith("data:") && line.length() > 5 && !line.substring(5).isBlank()) {
                return JSON.readTree(line.substring(5).strip());
            }
        }
        return null;
    }

    /** The events of an SSE response, read on a thread of their own: messages queued and listed, ids listed. */
    static Events events(HttpResponse<InputStream> response) {
        Events events = new Events(response.body());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith("id:")) {
                        events.ids.add(line.substring(3).strip());
                    } else if (line.startsWith("data:") && !line.substring(5).isBlank()) {
                        JsonNode m = JSON.readTree(line.substring(5).strip());
                        events.messages.add(m);
                        events.queue.add(m);
                    }
                }
            } catch (Exception e) {
                // the stream was cut: its end
            }
            events.ended.countDown();
        });
        return events;
    }

    /** What an SSE response carried so far: each message queued (to wait for) and listed, each event id listed. */
    static final class Events {
        final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
        final List<JsonNode> messages = new CopyOnWriteArrayList<>();
        final List<String> ids = new CopyOnWriteArrayList<>();
        final CountDownLatch ended = new CountDownLatch(1);
        private final InputStream body;

        Events(InputStream body) {
            this.body = body;
        }

        /** The client goes away: closes its end of the connection. */
        void disconnect() throws IOException {
            body.close();
        }

        JsonNode poll(Duration timeout) throws InterruptedException {
            return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean awaitEnd(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
