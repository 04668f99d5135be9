package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One principal must not take every slot (issue 12, items 5 and 8: 999 HTTP sessions from one token left everyone
 * else with 503; 1,500 WebSocket connections opened in a second): a cap per principal across every transport, and
 * a cap on WebSocket connections.
 */
class SessionCapsTest {

    @TempDir
    Path home;

    @Test
    void onePrincipalGetsAtMostItsShareOnEveryTransportAndWebSocketsAreCapped() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<AutoCloseable> open = new ArrayList<>();
        try (SecuredServer s = new SecuredServer(home, """
                limits:
                  max-sessions-per-principal: 2
                transports:
                  tcp:
                    port: 0
                  http:
                    port: 0
                    websocket:
                      max-connections: 3
                """, "")) {
            open.add(s.tcpAs("alice"));
            open.add(s.tcpAs("alice"));
            try (LineClient third = s.tcp()) {
                JsonNode refused = third.request(SecuredServer.initialize(s.token("alice")));
                assertEquals(-32000, refused.path("error").path("code").asInt(), refused.toString());
                assertTrue(refused.path("error").path("message").asText().contains("max-sessions-per-principal"));
                assertNull(third.readText(), "then the connection is closed");
            }
            HttpResponse<String> http = s.post(s.token("alice"), null, SecuredServer.initialize("x"));
            assertEquals(429, http.statusCode(), http.body());
            assertEquals(-32000, Json.parse(http.body()).path("error").path("code").asInt());
            assertEquals(429, upgradeStatus(client, s, "alice"), "the WebSocket upgrade counts too");
            assertEquals(200, s.post(s.token("bob"), null, SecuredServer.initialize("x")).statusCode(),
                    "others are not affected");

            for (String who : List.of("carol", "dave", "erin")) {
                WebSocket ws = upgrade(client, s, who).orTimeout(10, TimeUnit.SECONDS).join();
                open.add(() -> ws.abort());
            }
            assertEquals(503, upgradeStatus(client, s, "frank"), "transports.http.websocket.max-connections");
            ((AutoCloseable) open.removeLast()).close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int status;
            do {
                Thread.sleep(100);
                status = upgradeStatus(client, s, "frank");
            } while (status != 101 && System.nanoTime() < deadline);
            assertEquals(101, status, "a slot is free again once a connection ends");
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    private static java.util.concurrent.CompletableFuture<WebSocket> upgrade(HttpClient client, SecuredServer s,
                                                                              String who) throws Exception {
        return client.newWebSocketBuilder().subprotocols("mcp").header("Authorization", "Bearer " + s.token(who))
                .buildAsync(URI.create("ws://" + s.http.getAuthority() + "/ws"), new WebSocket.Listener() {
                });
    }

    /** 101 when the upgrade succeeded (the connection is closed again), else the refusal's status. */
    private static int upgradeStatus(HttpClient client, SecuredServer s, String who) throws Exception {
        try {
            WebSocket ws = upgrade(client, s, who).orTimeout(10, TimeUnit.SECONDS).join();
            ws.abort();
            return 101;
        } catch (CompletionException e) {
            return assertInstanceOf(WebSocketHandshakeException.class, e.getCause(), e.toString())
                    .getResponse().statusCode();
        }
    }
}
