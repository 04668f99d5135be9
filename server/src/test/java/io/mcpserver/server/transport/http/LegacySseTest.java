package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.transport.http.McpHttpClient.Reply;
import io.mcpserver.server.transport.http.McpHttpClient.SseEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 2024-11-05 HTTP+SSE transport: GET /sse, POST /message?sessionId=…, everything back on the stream. */
class LegacySseTest {

    private static HttpFixture server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpFixture.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void endpointEventThenResponsesOnTheStream() throws Exception {
        Reply stream = McpHttpClient.exchange(server.uri("/sse"), "GET", null, Map.of("Accept", "text/event-stream"));
        assertEquals(200, stream.status());
        String messageUrl;
        try (SseEvents events = stream.events()) {
            SseEvents.Event endpoint = events.next();
            assertEquals("endpoint", endpoint.event());
            assertTrue(endpoint.data().startsWith("/message?sessionId="), endpoint.data());
            messageUrl = endpoint.data();

            assertEquals(202, post(messageUrl, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                    + "{\"protocolVersion\":\"2024-11-05\",\"capabilities\":{},\"clientInfo\":{\"name\":\"old\",\"version\":\"1\"}}}"));
            JsonNode init = events.nextMessage().json();
            assertEquals("2024-11-05", init.path("result").path("protocolVersion").asText());
            assertEquals(202, post(messageUrl, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
            assertEquals(202, post(messageUrl, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                    + "{\"name\":\"echo\",\"arguments\":{\"text\":\"legacy\"}}}"));
            JsonNode echo = events.nextMessage().json();
            assertEquals("legacy", echo.path("result").path("content").get(0).path("text").asText());
        }
        // the session ends with its stream
        long deadline = System.currentTimeMillis() + 15_000;
        int status;
        do {
            Thread.sleep(50);
            status = post(messageUrl, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
        } while (status != 404 && System.currentTimeMillis() < deadline);
        assertEquals(404, status);
    }

    @Test
    void unknownOrMissingSessionId() throws Exception {
        assertEquals(404, post("/message?sessionId=nope", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
        assertEquals(400, post("/message", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
    }

    @Test
    void foreignOriginIs403() throws Exception {
        Reply reply = McpHttpClient.exchange(server.uri("/sse"), "GET", null,
                Map.of("Accept", "text/event-stream", "Origin", "http://evil.example.com"));
        assertEquals(403, reply.status());
    }

    @Test
    void theSessionCapRefusesAnotherStreamWith503UntilOneCloses() throws Exception {
        // a dropped stream is noticed at the next write: a short keep-alive makes that soon
        try (HttpFixture capped = HttpFixture.start(Map.of("transports.http.max-sessions", "1",
                "transports.http.sse-keep-alive", "100ms"))) {
            Reply first = McpHttpClient.exchange(capped.uri("/sse"), "GET", null, Map.of("Accept", "text/event-stream"));
            assertEquals(200, first.status());
            try (SseEvents events = first.events()) {
                assertEquals("endpoint", events.next().event());
                Reply refused = McpHttpClient.exchange(capped.uri("/sse"), "GET", null,
                        Map.of("Accept", "text/event-stream"));
                assertEquals(503, refused.status());
                assertEquals("10", refused.header("Retry-After"));
                JsonNode error = refused.json();
                assertEquals(-32000, error.at("/error/code").asInt(), error.toString());
                assertTrue(error.at("/error/message").asText().contains("max-sessions"), error.toString());
                // a Streamable HTTP initialize counts against the same cap
                McpHttpClient streamable = capped.client();
                assertEquals(503, streamable.post(streamable.request("initialize", "{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}"),
                        "application/json").status());
            }
            // the first stream closed: its session ends and the slot is free again
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
            while (capped.transport.sessionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Reply again = McpHttpClient.exchange(capped.uri("/sse"), "GET", null, Map.of("Accept", "text/event-stream"));
            assertEquals(200, again.status());
            try (SseEvents events = again.events()) {
                assertEquals("endpoint", events.next().event());
            }
        }
    }

    private static int post(String pathAndQuery, String body) throws Exception {
        return McpHttpClient.exchange(server.uri(pathAndQuery), "POST", body,
                Map.of("Content-Type", "application/json")).status();
    }
}
