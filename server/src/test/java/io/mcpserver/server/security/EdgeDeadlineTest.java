package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connection slots held before authentication (issue 12, item 2): with security on, {@code max-connections}
 * silent TCP sockets used to lock every real client out for as long as they stayed open (22 minutes and more).
 */
class EdgeDeadlineTest {

    @TempDir
    Path home;

    @Test
    void silentTcpConnectionsAreClosedAfterTheAuthTimeoutAndFreeTheirSlots() throws Exception {
        try (SecuredServer s = new SecuredServer(home, """
                transports:
                  tcp:
                    port: 0
                    max-connections: 2
                    auth-timeout: 1s
                  http:
                    enabled: false
                """, "")) {
            List<LineClient> silent = new ArrayList<>();
            try {
                long t0 = System.nanoTime();
                for (int i = 0; i < 2; i++) {
                    LineClient line = s.tcp();
                    line.timeout(Duration.ofSeconds(10));
                    silent.add(line);
                }
                for (LineClient line : silent) {
                    JsonNode refusal = line.read();
                    assertEquals(-32001, refusal.path("error").path("code").asInt(), refusal.toString());
                    assertEquals("timeout", refusal.path("error").path("data").path("reason").asText());
                    assertNull(line.readText(), "then the connection is closed");
                }
                assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "closed after about a second");
            } finally {
                for (LineClient line : silent) {
                    line.close();
                }
            }
            try (LineClient alice = connectOnceASlotIsFree(s)) {
                assertEquals("in", alice.request(SecuredServer.echo(2, "in")).path("result").path("content").path(0)
                        .path("text").asText(), "the slots are free again");
                Thread.sleep(1_500);
                assertEquals("still", alice.request(SecuredServer.echo(3, "still")).path("result").path("content")
                        .path(0).path("text").asText(), "an authenticated connection has no such deadline");
            }
            List<JsonNode> refusals = s.lines(home.resolve("logs/audit-refusals.log"));
            assertTrue(refusals.stream().filter(l -> l.path("error").path("reason").asText().equals("timeout")).count() >= 2,
                    refusals.toString());
        }
    }

    /** The server counts a slot free a moment after the client saw the connection end: retry for a few seconds. */
    private static LineClient connectOnceASlotIsFree(SecuredServer s) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return s.tcpAs("alice");
            } catch (AssertionError refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void slowlorisHeadersAreDroppedAfterTheHeaderTimeout() throws Exception {
        try (SecuredServer s = new SecuredServer(home, """
                transports:
                  tcp:
                    enabled: false
                  http:
                    port: 0
                    header-timeout: 1s
                """, "")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.http.getPort())) {
                socket.setSoTimeout(200);
                var out = socket.getOutputStream();
                out.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                long t0 = System.nanoTime();
                boolean closed = false;
                while (!closed && System.nanoTime() - t0 < 8_000_000_000L) {
                    try {
                        out.write("X-Slow: a\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // never done
                        out.flush();
                        closed = socket.getInputStream().read() < 0;
                    } catch (java.net.SocketTimeoutException e) {
                        // still open: go on trickling
                    } catch (java.io.IOException e) {
                        closed = true; // reset
                    }
                }
                assertTrue(closed, "the server closed the stalled connection");
                assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "within a few seconds of the 1 s header timeout");
            }
            // an ordinary client is not affected
            var refused = s.post(null, null, SecuredServer.initialize("x"));
            assertEquals(401, refused.statusCode());
        }
    }
}
