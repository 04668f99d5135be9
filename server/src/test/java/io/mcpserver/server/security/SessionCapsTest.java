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

    /**
     * A principal refused over and over (a flooder reconnecting at once) wrote three INFO lines per refused TCP
     * connection, about a thousand a second in the fairness benchmark: the log must say it, not repeat it.
     */
    @Test
    void aPrincipalRefusedOverAndOverFillsNoLog() throws Exception {
        String flooder = "flooder-" + System.nanoTime();
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.mcpserver.server");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
                    lines.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (SecuredServer s = new SecuredServer(home, """
                limits:
                  max-sessions-per-principal: 1
                """, "");
             LineClient first = s.tcpAs(flooder)) {
            long logged = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (lines.stream().noneMatch(l -> l.contains("connected from")) && System.nanoTime() < logged) {
                Thread.sleep(20); // logged by the connection's reader once its first message is handled
            }
            int before = lines.size();
            for (int i = 0; i < 40; i++) {
                try (LineClient refused = s.tcp()) {
                    JsonNode answer = refused.request(SecuredServer.initialize(s.token(flooder)));
                    assertEquals(-32000, answer.path("error").path("code").asInt(), answer.toString());
                    assertNull(refused.readText(), "then the connection is closed");
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (lines.stream().noneMatch(l -> l.contains("not authenticated")) && System.nanoTime() < deadline) {
                Thread.sleep(20); // the last connection's end is logged by its own thread
            }
            List<String> about = lines.subList(before, lines.size()).stream()
                    .filter(l -> l.contains(flooder) || l.contains("not authenticated") || l.contains("connected from"))
                    .toList();
            assertTrue(about.size() <= 2, "40 refused connections logged " + about.size() + " lines: " + about);
            assertTrue(lines.stream().anyMatch(l -> l.contains("connected from") && l.contains(flooder)),
                    "the authenticated connection is logged, with whom it stands for: " + lines);
        } finally {
            logger.removeHandler(handler);
        }
    }

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
