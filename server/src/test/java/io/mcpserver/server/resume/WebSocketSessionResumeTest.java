package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Session recovery over WebSocket: the bearer token on the upgrade, drops as aborted sockets (no close frame). */
class WebSocketSessionResumeTest extends SessionResumeCases {

    @Override
    Wire connect(String bearer) {
        WsClient client = WsClient.connectWith(Map.of("Authorization", "Bearer " + bearer),
                URI.create("ws://127.0.0.1:" + server.httpPort + "/ws"), "mcp");
        return new Wire() {
            @Override
            public void send(String json) {
                client.send(json);
            }

            @Override
            public JsonNode await(Predicate<JsonNode> match, String what) throws InterruptedException {
                return client.await(match, what);
            }

            @Override
            public List<JsonNode> received() {
                return client.texts().stream().map(WebSocketSessionResumeTest::parse).toList();
            }

            @Override
            public void drop() {
                client.socket.abort();
            }

            @Override
            public boolean endedByServer(Duration within) {
                try {
                    client.closed.get(within.toMillis(), TimeUnit.MILLISECONDS);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            }

            @Override
            public void close() {
                client.close();
            }

        };
    }

    @Override
    String credentialMeta(String bearer) {
        return "";
    }

    /** A close with 1000 says the client is leaving: its session ends at once and its token with it. */
    @Test
    void aNormalCloseEndsTheSession() throws Exception {
        start();
        Opened a = open("alice");
        a.wire().send(call(2, "block", "{\"tag\":\"bye\"}", null));
        assertEquals("bye", server.started.poll(15, TimeUnit.SECONDS));
        a.wire().close(); // sends close 1000
        assertEquals("bye", server.cancelled.poll(15, TimeUnit.SECONDS), "the call outlived a goodbye");
        Resumed late = resume("alice", a.token(), null);
        assertEquals("resume_refused", late.answer().path("error").path("data").path("reason").asText(),
                () -> "resumed after a goodbye: " + late.answer());
    }

    private static JsonNode parse(String text) {
        try {
            return Json.parse(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
