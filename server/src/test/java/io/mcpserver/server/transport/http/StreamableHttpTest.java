package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.transport.http.McpHttpClient.Reply;
import io.mcpserver.server.transport.http.McpHttpClient.SseEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mcpserver.server.transport.http.McpHttpClient.BOTH;
import static io.mcpserver.server.transport.http.McpHttpClient.STREAM_ONLY;
import static io.mcpserver.server.transport.http.McpHttpClient.notification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streamable HTTP on a real socket, driven by a raw {@code java.net.http} client. */
class StreamableHttpTest {

    private static HttpFixture server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpFixture.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---- sessions ------------------------------------------------------------------------------

    @Test
    void initializeIssuesAVisibleAsciiSessionId() throws Exception {
        McpHttpClient client = server.client().initialize();
        assertTrue(client.sessionId.matches("[\\x21-\\x7E]{32,}"), client.sessionId);
        assertNotNull(client.call("echo", "{\"text\":\"hi\"}").get("result"));
    }

    @Test
    void initializeWhenTheClientAcceptsBothIsOneJsonBody() throws Exception {
        McpHttpClient client = server.client();
        Reply reply = client.post(client.request("initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}"), BOTH);
        assertEquals(200, reply.status());
        assertTrue(reply.header("content-type").startsWith("application/json"), reply.header("content-type"));
        assertNotNull(reply.header("mcp-session-id"));
        assertEquals("2025-11-25", reply.json().path("result").path("protocolVersion").asText());
    }

    @Test
    void initializeOverSseCarriesTheSessionIdAndOneResponse() throws Exception {
        McpHttpClient client = server.client();
        Reply reply = client.post(client.request("initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}"), STREAM_ONLY);
        assertEquals(200, reply.status());
        assertTrue(reply.header("content-type").startsWith("text/event-stream"));
        assertNotNull(reply.header("mcp-session-id"));
        try (SseEvents events = reply.events()) {
            SseEvents.Event response = events.nextMessage();
            assertEquals("2025-11-25", response.json().path("result").path("protocolVersion").asText());
            assertTrue(events.ends(), "the stream ends after the response");
        }
    }

    @Test
    void requestWithoutSessionIdIs400() throws Exception {
        McpHttpClient client = server.client();
        Reply reply = client.post(client.request("tools/list", null), BOTH);
        assertEquals(400, reply.status());
        assertTrue(reply.json().path("error").path("message").asText().contains("Mcp-Session-Id"));
    }

    @Test
    void unknownSessionIs404AndDeleteEndsTheSession() throws Exception {
        McpHttpClient client = server.client().initialize();
        assertEquals(200, client.delete().status());
        Reply after = client.post(client.request("tools/list", null), BOTH);
        assertEquals(404, after.status());
        assertEquals(404, client.get(Map.of()).status());
        assertEquals(404, client.delete().status());

        McpHttpClient stranger = server.client();
        stranger.sessionId = "0".repeat(64);
        assertEquals(404, stranger.post(stranger.request("ping", null), BOTH).status());
    }

    @Test
    void deleteCancelsWhatTheSessionRuns() throws Exception {
        McpHttpClient client = server.client().initialize();
        Reply call = client.post(client.request("tools/call", "{\"name\":\"block\",\"arguments\":{\"tag\":\"deleted\"}}"),
                BOTH);
        try (SseEvents events = call.events()) {
            assertNotNull(events.next().id(), "priming event");
            assertEquals("deleted", server.blockStarted.poll(10, TimeUnit.SECONDS), "the call runs");
            int before = server.core.sessions().size();
            assertEquals(200, client.delete().status());
            assertEquals("deleted", server.blockInterrupted.poll(10, TimeUnit.SECONDS),
                    "the server interrupted the tool the deleted session was running");
            assertTrue(events.ends(), "the call's stream ends when its session does");
            assertEquals(before - 1, server.core.sessions().size());
        }
    }

    // ---- headers -------------------------------------------------------------------------------

    @Test
    void unsupportedProtocolVersionIs400AndAbsentMeansTheNegotiatedOne() throws Exception {
        McpHttpClient client = server.client().initialize();
        Reply bad = client.send("POST", client.request("ping", null), Map.of("Accept", BOTH,
                "Content-Type", "application/json", "Mcp-Session-Id", client.sessionId, "MCP-Protocol-Version", "1999-01-01"));
        assertEquals(400, bad.status());
        assertTrue(bad.json().path("error").has("code"), "a JSON-RPC error body");
        // without the header the server serves the version the session negotiated (the spec's 2025-03-26 is for a
        // server with no other way to tell): tool titles exist from 2025-06-18 on, so they show which one was used
        Reply absent = client.send("POST", client.request("tools/list", null), Map.of("Accept", "application/json",
                "Content-Type", "application/json", "Mcp-Session-Id", client.sessionId));
        assertEquals(200, absent.status());
        JsonNode listed = absent.json();
        assertEquals("Echo", toolNamed(listed, "echo").path("title").asText(), "2025-11-25: " + listed);

        McpHttpClient old = server.client();
        Reply init = old.post(old.request("initialize", "{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"old\",\"version\":\"1\"}}"), "application/json");
        assertEquals("2025-03-26", init.json().at("/result/protocolVersion").asText());
        String oldSession = init.header("Mcp-Session-Id");
        Reply oldList = old.send("POST", old.request("tools/list", null), Map.of("Accept", "application/json",
                "Content-Type", "application/json", "Mcp-Session-Id", oldSession));
        assertEquals(200, oldList.status());
        JsonNode oldListed = oldList.json();
        assertTrue(toolNamed(oldListed, "echo").path("title").isMissingNode(), "2025-03-26: " + oldListed);
    }

    private static JsonNode toolNamed(JsonNode listReply, String name) {
        for (JsonNode tool : listReply.at("/result/tools")) {
            if (tool.path("name").asText().equals(name)) {
                return tool;
            }
        }
        throw new AssertionError("no tool " + name + " in " + listReply);
    }

    @Test
    void foreignOriginIs403AndLoopbackOriginGetsCors() throws Exception {
        McpHttpClient client = server.client();
        String init = client.request("initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}");
        Reply evil = client.send("POST", init, Map.of("Accept", BOTH, "Content-Type", "application/json",
                "Origin", "http://evil.example.com"));
        assertEquals(403, evil.status());
        assertTrue(evil.json().path("error").path("message").asText().contains("evil.example.com"));

        Reply local = client.send("POST", init, Map.of("Accept", "application/json", "Content-Type", "application/json",
                "Origin", "http://localhost:5173"));
        assertEquals(200, local.status());
        assertEquals("http://localhost:5173", local.header("access-control-allow-origin"));
        assertTrue(local.header("access-control-expose-headers").contains("Mcp-Session-Id"));

        Reply preflight = client.send("OPTIONS", null, Map.of("Origin", "http://127.0.0.1:3000",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type, mcp-session-id"));
        assertEquals(204, preflight.status());
        assertTrue(preflight.header("access-control-allow-methods").contains("DELETE"));
        assertEquals(403, client.send("OPTIONS", null, Map.of("Origin", "https://evil.example.com",
                "Access-Control-Request-Method", "POST")).status());
    }

    @Test
    void foreignHostIs403WhenBoundToLoopback() throws Exception {
        assertEquals(403, rawStatus("evil.example.com"));
        assertEquals(200, rawStatus("localhost:" + server.transport.port()));
    }

    /** java.net.http will not send a Host header of our choosing: a raw HTTP/1.1 request. */
    private static int rawStatus(String host) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
        try (Socket socket = new Socket("127.0.0.1", server.transport.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void notificationsAndResponsesAre202() throws Exception {
        McpHttpClient client = server.client().initialize();
        Reply n = client.post(notification("notifications/cancelled", "{\"requestId\":999}"), BOTH);
        assertEquals(202, n.status());
        assertEquals("", n.text());
        Reply r = client.post("{\"jsonrpc\":\"2.0\",\"id\":\"srv-404\",\"result\":{}}", BOTH);
        assertEquals(202, r.status());
    }

    @Test
    void malformedBodiesAre400() throws Exception {
        McpHttpClient client = server.client().initialize();
        Reply parse = client.post("{not json", BOTH);
        assertEquals(400, parse.status());
        assertEquals(-32700, parse.json().path("error").path("code").asInt());
        Reply batch = client.post("[" + client.request("ping", null) + "]", BOTH);
        assertEquals(400, batch.status());
        assertTrue(batch.json().path("error").path("message").asText().contains("batch"));
    }

    @Test
    void otherMethodsAre405() throws Exception {
        Reply put = server.client().send("PUT", "{}", Map.of("Content-Type", "application/json"));
        assertEquals(405, put.status());
        assertTrue(put.header("allow").contains("POST"));
    }

    // ---- streams -------------------------------------------------------------------------------

    @Test
    void aCallThatEmitsNothingBeforeItsResultIsOneJsonBodyWhenTheClientAcceptsBoth() throws Exception {
        McpHttpClient client = server.client().initialize();
        for (String accept : List.of(BOTH, "text/event-stream, application/json", "application/json;q=0.9, text/*")) {
            Reply reply = client.post(client.request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}"),
                    accept);
            assertEquals(200, reply.status());
            assertTrue(reply.header("content-type").startsWith("application/json"), accept + ": " + reply.header("content-type"));
            assertEquals("hi", reply.json().path("result").path("content").get(0).path("text").asText());
        }
        Reply error = client.post(client.request("tools/call", "{\"name\":\"no_such_tool\",\"arguments\":{}}"), BOTH);
        assertEquals(200, error.status());
        assertTrue(error.header("content-type").startsWith("application/json"), error.header("content-type"));
        assertEquals(-32602, error.json().path("error").path("code").asInt());
        Reply streamOnly = client.post(client.request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}"),
                STREAM_ONLY);
        assertTrue(streamOnly.header("content-type").startsWith("text/event-stream"), "a client taking only streams");
        try (SseEvents events = streamOnly.events()) {
            assertEquals("hi", events.nextMessage().json().path("result").path("content").get(0).path("text").asText());
        }
    }

    /**
     * Long arguments (read in bulk, the body straight into one array, grown past its first 128 KB) come back as they
     * were sent, byte for byte the JSON Jackson writes, whatever the client accepts: plain ASCII (written back as it
     * was read), escapes, non-ASCII and surrogate pairs.
     */
    @Test
    void longArgumentsAreEchoedExactlyWhateverTheClientAccepts() throws Exception {
        McpHttpClient client = server.client().initialize();
        String letters = "abcdefghijklmnopqrstuvwxyz";
        for (String text : List.of(letters.repeat(2_521), letters.repeat(12_000),
                "line \"one\"\n\tand \\ é € 😀 \u0001 ".repeat(2_000), "x".repeat(255), "")) {
            for (String accept : List.of("application/json", BOTH)) {
                String id = "\"big-" + text.length() + "\"";
                Reply reply = client.post("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"echo\",\"arguments\":" + io.mcpserver.server.json.Json.write(
                        io.mcpserver.server.json.Json.object().put("text", text)) + "}}", accept);
                assertEquals(200, reply.status());
                assertTrue(reply.header("content-type").startsWith("application/json"), accept);
                String body = reply.text();
                assertEquals(String.valueOf(body.getBytes(StandardCharsets.UTF_8).length), reply.header("content-length"));
                String expected = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\","
                        + "\"text\":" + io.mcpserver.server.json.Json.write(
                        com.fasterxml.jackson.databind.node.TextNode.valueOf(text)) + "}]}}";
                assertEquals(expected, body, accept + ", " + text.length() + " chars");
            }
        }
    }

    @Test
    void aCallSilentForLongerThanTheKeepAliveIsStreamedAndResumable() throws Exception {
        try (HttpFixture quick = HttpFixture.start(Map.of("transports.http.sse-keep-alive", "200ms"))) {
            McpHttpClient client = quick.client().initialize();
            Reply reply = client.post(client.request("tools/call", "{\"name\":\"block\",\"arguments\":{\"tag\":\"silent\"}}"),
                    BOTH);
            assertEquals(200, reply.status());
            assertTrue(reply.header("content-type").startsWith("text/event-stream"), reply.header("content-type"));
            try (SseEvents events = reply.events()) {
                String primingId = events.next().id();
                assertNotNull(primingId, "the priming event carries an id to resume from");
                // as a client does after losing the connection: a GET with the last id takes the stream over
                Reply resumed = client.get(Map.of("Last-Event-ID", primingId));
                assertEquals(200, resumed.status());
                try (SseEvents again = resumed.events()) {
                    assertEquals(primingId, again.next().id());
                    quick.release("silent");
                    assertEquals("released silent",
                            again.nextMessage().json().path("result").path("content").get(0).path("text").asText());
                }
            }
        }
    }

    @Test
    void progressAndLogsTravelOnThePostStream() throws Exception {
        McpHttpClient client = server.client().initialize();
        Reply reply = client.post(client.request("tools/call", "{\"name\":\"chatty\",\"arguments\":{},"
                + "\"_meta\":{\"progressToken\":\"tok\"}}"), BOTH);
        assertEquals(200, reply.status());
        assertTrue(reply.header("content-type").startsWith("text/event-stream"));
        List<String> methods = new ArrayList<>();
        try (SseEvents events = reply.events()) {
            SseEvents.Event priming = events.next();
            assertNotNull(priming.id(), "priming event has an id");
            assertEquals("", priming.data(), "priming event has empty data");
            assertNotNull(priming.retry(), "priming event carries retry");
            JsonNode message;
            do {
                SseEvents.Event e = events.nextMessage();
                assertNotNull(e.id(), "every event has an id");
                message = e.json();
                if (message.has("method")) {
                    methods.add(message.get("method").asText());
                }
            } while (message.has("method"));
            assertEquals("chatted", message.path("result").path("content").get(0).path("text").asText());
            assertTrue(events.ends(), "the stream ends after the response");
        }
        // in the order the tool sent them: the first one, which turned the answer into a stream, included
        assertEquals(List.of("notifications/message", "notifications/progress", "notifications/message",
                "notifications/progress", "notifications/message", "notifications/progress"), methods);
    }

    @Test
    void samplingRoundTripOverThePostStream() throws Exception {
        McpHttpClient client = server.client().initialize("{\"sampling\":{}}");
        Reply reply = client.post(client.request("tools/call", "{\"name\":\"ask\",\"arguments\":{\"question\":\"2+2?\"}}"), BOTH);
        try (SseEvents events = reply.events()) {
            JsonNode request = events.nextMessage().json();
            assertEquals("sampling/createMessage", request.path("method").asText());
            String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":{\"role\":\"assistant\","
                    + "\"content\":{\"type\":\"text\",\"text\":\"4\"},\"model\":\"test-model\"}}";
            assertEquals(202, client.post(answer, BOTH).status());
            JsonNode result = events.nextMessage().json();
            assertEquals("model said: 4", result.path("result").path("content").get(0).path("text").asText(), result.toString());
        }
    }

    @Test
    void jsonOnlyClientGetsOneBodyAndServerRequestsFailFast() throws Exception {
        McpHttpClient client = server.client().initialize("{\"sampling\":{}}");
        JsonNode result = client.call("ask", "{\"question\":\"2+2?\"}").path("result");
        assertTrue(result.path("isError").asBoolean(), result.toString());
        // refused at once, saying why, rather than waiting for an answer that has no way to arrive
        assertTrue(result.path("content").get(0).path("text").asText().contains("accepts only application/json"),
                result.toString());
        JsonNode chatty = client.call("chatty", "{}");
        assertEquals("chatted", chatty.path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void getStreamCarriesResourceUpdatesAndReplaysAfterADrop() throws Exception {
        McpHttpClient client = server.client().initialize();
        assertEquals(200, client.post(client.request("resources/subscribe", "{\"uri\":\"test://counter\"}"),
                "application/json").status());

        Reply first = client.get(Map.of());
        assertEquals(200, first.status());
        String lastSeen;
        try (SseEvents events = first.events()) {
            assertEquals("", events.next().data(), "priming event");
            server.core.sessions().broadcastResourceUpdated("test://counter");
            SseEvents.Event update = events.nextMessage();
            assertEquals("notifications/resources/updated", update.json().path("method").asText());
            lastSeen = update.id();
        } // the client drops the stream

        server.core.sessions().broadcastResourceUpdated("test://counter");
        server.core.sessions().broadcastResourceUpdated("test://counter");

        Reply resumed = client.get(Map.of("Last-Event-ID", lastSeen));
        assertEquals(200, resumed.status());
        try (SseEvents events = resumed.events()) {
            assertEquals(lastSeen, events.next().id(), "the priming event names the resumption point");
            SseEvents.Event a = events.nextMessage();
            SseEvents.Event b = events.nextMessage();
            assertEquals("notifications/resources/updated", a.json().path("method").asText());
            assertEquals("notifications/resources/updated", b.json().path("method").asText());
            assertFalse(a.id().equals(lastSeen) || b.id().equals(a.id()), "only events after Last-Event-ID");
        }
    }

    @Test
    void resumingAFinishedStreamIs204AndLeavesTheStandaloneStreamAlone() throws Exception {
        McpHttpClient client = server.client().initialize();
        assertEquals(200, client.post(client.request("resources/subscribe", "{\"uri\":\"test://counter\"}"),
                "application/json").status());
        Reply standalone = client.get(Map.of());
        try (SseEvents own = standalone.events()) {
            assertNotNull(own.next().id(), "priming event");
            // a call answered with an error: the TypeScript SDK resumes such a stream with its last event id
            Reply failed = client.post(client.request("tools/call", "{\"name\":\"no_such_tool\",\"arguments\":{}}"),
                    STREAM_ONLY); // a client that takes only streams: a call that emits nothing still gets one
            String lastId;
            try (SseEvents events = failed.events()) {
                events.next(); // priming
                SseEvents.Event error = events.nextMessage();
                assertEquals(-32602, error.json().path("error").path("code").asInt(), error.data());
                lastId = error.id();
                assertTrue(events.ends());
            }
            for (String id : List.of(lastId, "p999-1", "nonsense")) {
                Reply resumed = client.get(Map.of("Last-Event-ID", id));
                assertEquals(204, resumed.status(), "nothing to resume after " + id);
                resumed.text();
            }
            server.core.sessions().broadcastResourceUpdated("test://counter");
            assertEquals("notifications/resources/updated", own.nextMessage().json().path("method").asText(),
                    "the client's own GET still has the standalone stream");
        }
    }

    @Test
    void anotherSessionsLastEventIdReplaysNothingOfThatSession() throws Exception {
        McpHttpClient alice = server.client().initialize();
        McpHttpClient bob = server.client().initialize();
        String aliceLast = null;
        try (SseEvents events = alice.post(alice.request("tools/call",
                "{\"name\":\"echo\",\"arguments\":{\"text\":\"alice's secret\"}}"), STREAM_ONLY).events()) {
            SseEvents.Event e;
            while ((e = events.next()) != null) {
                aliceLast = e.id() != null ? e.id() : aliceLast;
            }
        }
        assertNotNull(aliceLast);
        // bob's own streams are numbered the same way: his POST stream may well carry the same key
        try (SseEvents events = bob.post(bob.request("tools/call",
                "{\"name\":\"echo\",\"arguments\":{\"text\":\"bob's\"}}"), STREAM_ONLY).events()) {
            while (events.next() != null) {
                // drain it
            }
        }
        for (String id : List.of(aliceLast, SseStream.streamKeyOf(aliceLast) + "-0")) {
            Reply resumed = bob.get(Map.of("Last-Event-ID", id));
            String body = resumed.status() == 200 ? firstEvents(resumed) : resumed.text();
            assertTrue(resumed.status() == 200 || resumed.status() == 204, resumed.status() + " " + body);
            assertFalse(body.contains("alice's secret"), "another session's events must never be replayed: " + body);
        }
    }

    /** The events a stream sends within a moment (a live GET stream never ends by itself). */
    private static String firstEvents(Reply reply) throws Exception {
        StringBuilder seen = new StringBuilder();
        try (SseEvents events = reply.events()) {
            SseEvents.Event e;
            while ((e = events.poll(Duration.ofMillis(500))) != null) {
                seen.append(e).append('\n');
            }
        }
        return seen.toString();
    }

    @Test
    void aNewGetTakesTheStreamOverFromTheOldOne() throws Exception {
        McpHttpClient client = server.client().initialize();
        Reply first = client.get(Map.of());
        try (SseEvents old = first.events()) {
            assertNotNull(old.next());
            Reply second = client.get(Map.of());
            assertEquals(200, second.status());
            try (SseEvents events = second.events()) {
                assertNotNull(events.next());
                assertTrue(old.ends(), "the older GET stream is ended");
            }
        }
    }

    @Test
    void oneSessionsSlowToolDoesNotDelayAnother() throws Exception {
        McpHttpClient slow = server.client().initialize();
        McpHttpClient quick = server.client().initialize();
        CompletableFuture<JsonNode> held = CompletableFuture.supplyAsync(() -> {
            try {
                return slow.call("block", "{\"tag\":\"held\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, command -> Thread.ofVirtual().start(command)); // it blocks: not on the (1-thread) common pool
        assertEquals("held", server.blockStarted.poll(10, TimeUnit.SECONDS), "the slow call runs");
        // the slow call cannot finish before it is released, so every echo answered here was served beside it
        for (int i = 0; i < 5; i++) {
            assertEquals("x" + i, quick.call("echo", "{\"text\":\"x" + i + "\"}")
                    .path("result").path("content").get(0).path("text").asText());
        }
        assertFalse(held.isDone(), "the slow call is still running");
        server.release("held");
        assertEquals("released held", held.get(10, TimeUnit.SECONDS).path("result").path("content").get(0).path("text")
                .asText());
    }

    @Test
    void aNotificationBeforeInitializeNeedsASession() throws Exception {
        assertEquals(400, server.client().post(notification("notifications/initialized", null), BOTH).status());
        assertNull(server.client().sessionId);
    }
}
