package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.transport.http.McpHttpClient.Reply;
import io.mcpserver.server.transport.http.McpHttpClient.SseEvents;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.mcpserver.server.transport.http.McpHttpClient.BOTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded sessions and messages, and POST streams closed early and resumed. */
class SessionLimitsTest {

    @Test
    void idleSessionsExpire() throws Exception {
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.session-idle-timeout", "300ms"))) {
            McpHttpClient client = server.client().initialize();
            assertEquals(1, server.transport.sessionCount());
            long deadline = System.currentTimeMillis() + 15_000;
            while (server.transport.sessionCount() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, server.transport.sessionCount(), "the idle session was not reaped");
            assertEquals(0, server.core.sessions().size(), "the protocol session was not closed");
            assertEquals(404, client.post(client.request("ping", null), BOTH).status());
        }
    }

    @Test
    void aSessionWithAnOpenStreamOrARunningCallDoesNotExpire() throws Exception {
        // The idle timeout leaves room for a loaded machine between the call's end and the GET; the call
        // and the open stream each last well past it.
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.session-idle-timeout", "1500ms"))) {
            McpHttpClient client = server.client().initialize();
            JsonNode result = client.call("sleep", "{\"ms\":3000}");
            assertEquals("slept", result.path("result").path("content").get(0).path("text").asText());
            Reply get = client.get(Map.of());
            try (SseEvents events = get.events()) {
                assertNotNull(events.next());
                Thread.sleep(3000);
                assertEquals(1, server.transport.sessionCount());
            }
        }
    }

    @Test
    void theSessionCapAnswers503UntilASessionEnds() throws Exception {
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.max-sessions", "2"))) {
            McpHttpClient a = server.client().initialize();
            server.client().initialize();
            McpHttpClient third = server.client();
            Reply refused = third.post(third.request("initialize", "{\"protocolVersion\":\"2025-11-25\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}"), BOTH);
            assertEquals(503, refused.status());
            JsonNode error = refused.json();
            assertEquals(-32000, error.path("error").path("code").asInt());
            assertTrue(error.path("error").path("message").asText().contains("max-sessions"), error.toString());
            assertEquals(1, error.path("id").asInt(), "the error answers the initialize request");

            assertEquals(200, a.delete().status());
            server.client().initialize();
            assertEquals(2, server.transport.sessionCount());
        }
    }

    @Test
    void anOversizedMessageIs413() throws Exception {
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.max-message-size", "1KiB"))) {
            McpHttpClient client = server.client().initialize();
            Reply reply = client.post(client.request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\""
                    + "x".repeat(2000) + "\"}}"), BOTH);
            assertEquals(413, reply.status());
            assertTrue(reply.json().path("error").path("message").asText().contains("1024"));
            assertEquals("ok", client.call("echo", "{\"text\":\"ok\"}").path("result").path("content").get(0)
                    .path("text").asText(), "the session still works");
        }
    }

    @Test
    void aPostStreamClosedEarlyIsResumedWithLastEventId() throws Exception {
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.sse-close-after", "200ms",
                "transports.http.sse-retry", "50ms"))) {
            McpHttpClient client = server.client().initialize();
            Reply call = client.post(client.request("tools/call", "{\"name\":\"sleep\",\"arguments\":{\"ms\":800}}"), BOTH);
            String lastId;
            try (SseEvents events = call.events()) {
                SseEvents.Event priming = events.next();
                assertEquals(50L, priming.retry());
                lastId = priming.id();
                SseEvents.Event next = events.next();
                assertTrue(next == null || next.data() == null, "only a retry field before the close: " + next);
                if (next != null) {
                    assertTrue(events.ends());
                }
            }
            // the client polls: each GET resumes after the last event id it saw, until the response comes
            JsonNode response = null;
            for (int attempt = 0; attempt < 20 && response == null; attempt++) {
                Reply resumed = client.get(Map.of("Last-Event-ID", lastId));
                assertEquals(200, resumed.status());
                try (SseEvents events = resumed.events()) {
                    SseEvents.Event e;
                    while ((e = events.next()) != null) {
                        if (e.id() != null) {
                            lastId = e.id();
                        }
                        if (e.data() != null && !e.data().isEmpty()) {
                            response = e.json();
                        }
                    }
                }
            }
            assertNotNull(response, "no response after resuming");
            assertEquals("slept", response.path("result").path("content").get(0).path("text").asText());
        }
    }

    @Test
    void aPostStreamThatMayCloseEarlyTellsTheClientNotToReuseItsConnection() throws Exception {
        // the call runs on the request's thread: after the stream closed early that connection serves nothing else
        // until the call ends, so a client must open a new one for its next request (the GET that resumes)
        try (HttpFixture server = HttpFixture.start(Map.of("transports.http.sse-close-after", "200ms"))) {
            McpHttpClient client = server.client().initialize();
            byte[] body = client.request("tools/call", "{\"name\":\"sleep\",\"arguments\":{\"ms\":1500}}")
                    .getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", server.transport.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: " + BOTH
                        + "\r\nMcp-Session-Id: " + client.sessionId + "\r\nMCP-Protocol-Version: 2025-11-25\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII));
                List<String> head = new ArrayList<>();
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    head.add(line.toLowerCase(Locale.ROOT));
                }
                assertTrue(head.contains("content-type: text/event-stream"), head.toString());
                assertTrue(head.contains("connection: close"), head.toString());
            }
        }
    }
}
