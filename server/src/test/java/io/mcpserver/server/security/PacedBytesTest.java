package io.mcpserver.server.security;

import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A principal refused by its rate is read at {@code limits.rate.paced-bytes-per-second} as well as at its rate: a
 * large message is one request and one token, so pacing by requests alone let the fairness benchmark's 512 KiB
 * messages through at the full request rate (docs/benchmarks.md). Here the rate (100/s) would read sixteen 128 KiB
 * messages in a fifth of a second; the byte budget (256 KiB/s) takes eight seconds for them, while a calm principal
 * beside it is served at once.
 */
class PacedBytesTest {

    private static final String LIMITS = """
            limits:
              max-message-size: 1MiB
              rate:
                per-principal: 100
                per-principal-burst: 5
                paced-bytes-per-second: 256KiB
            """;
    private static final int BIG_MESSAGES = 16;
    private static final String BIG = "p".repeat(128 * 1024);
    /** 16 × 128 KiB at 256 KiB/s is 8 s; without the byte budget, 16 token intervals of 10 ms. */
    private static final long AT_LEAST_MS = 6_000;
    private static final long CALM_BOUND_MS = 3_000;

    @TempDir
    Path home;

    @Test
    void aTcpPrincipalOverItsRateIsReadAtItsByteBudget() throws Exception {
        try (SecuredServer s = new SecuredServer(home, LIMITS, "", Map.of());
             LineClient flooder = s.tcpAs("flooder"); LineClient calm = s.tcpAs("calm")) {
            for (int i = 100; i < 120; i++) {
                flooder.send(SecuredServer.echo(i, "x")); // past its burst at once: refused, and paced from then on
            }
            long started = System.nanoTime();
            Thread sender = FloodBeside.send(flooder, BIG_MESSAGES, BIG);
            FloodBeside.assertCalmServed(calm, CALM_BOUND_MS);
            flooder.timeout(java.time.Duration.ofSeconds(30));
            flooder.response(1000 + BIG_MESSAGES - 1);
            sender.join();
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertTrue(ms >= AT_LEAST_MS, BIG_MESSAGES + " messages of 128 KiB read in " + ms + " ms");
        }
    }

    @Test
    void aWebSocketPrincipalOverItsRateIsReadAtItsByteBudget() throws Exception {
        try (SecuredServer s = new SecuredServer(home, LIMITS, "", Map.of())) {
            BlockingQueue<String> flooderInbox = new LinkedBlockingQueue<>();
            BlockingQueue<String> calmInbox = new LinkedBlockingQueue<>();
            WebSocket flooder = s.webSocketAs("flooder", flooderInbox);
            WebSocket calm = s.webSocketAs("calm", calmInbox);
            try {
                for (int i = 100; i < 120; i++) {
                    flooder.sendText(SecuredServer.echo(i, "x"), true).join();
                }
                long started = System.nanoTime();
                Thread sender = FloodBeside.send(flooder, BIG_MESSAGES, BIG);
                FloodBeside.assertCalmServed(calm, calmInbox, CALM_BOUND_MS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                boolean last = false;
                while (!last && System.nanoTime() < deadline) {
                    String m = flooderInbox.poll(1, TimeUnit.SECONDS);
                    last = m != null && Json.parse(m).path("id").asInt() == 1000 + BIG_MESSAGES - 1;
                }
                assertTrue(last, "the last big message unanswered after 30 s");
                sender.join();
                long ms = (System.nanoTime() - started) / 1_000_000;
                assertTrue(ms >= AT_LEAST_MS, BIG_MESSAGES + " messages of 128 KiB read in " + ms + " ms");
            } finally {
                flooder.abort();
                calm.abort();
            }
        }
    }

    /**
     * Streamable HTTP: after answering a request of a principal refused lately, the handler waits for the principal's
     * byte budget before it returns, so Helidon reads that connection's next request (its body) only then.
     */
    @Test
    void anHttpPrincipalOverItsRateIsReadAtItsByteBudget() throws Exception {
        try (SecuredServer s = new SecuredServer(home, LIMITS, "", Map.of())) {
            String flooder = s.token("flooder");
            String calm = s.token("calm");
            String flooderSession = session(s, flooder);
            String calmSession = session(s, calm);
            java.util.List<java.util.concurrent.CompletableFuture<?>> burst = new java.util.ArrayList<>();
            for (int i = 100; i < 120; i++) { // past its burst at once: refused (429), and paced from then on
                burst.add(SecuredServer.HTTP.sendAsync(postRequest(s, flooder, flooderSession,
                        SecuredServer.echo(i, "x")), java.net.http.HttpResponse.BodyHandlers.ofString()));
            }
            for (var f : burst) {
                f.get(30, TimeUnit.SECONDS);
            }
            long started = System.nanoTime();
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < BIG_MESSAGES; i++) {
                        s.post(flooder, flooderSession, SecuredServer.echo(1000 + i, BIG));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                var reply = s.post(calm, calmSession, SecuredServer.echo(i + 2, "calm"));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(200, reply.statusCode(), reply.body());
                assertTrue(reply.body().contains("\"calm\""), reply.body());
                assertTrue(ms < CALM_BOUND_MS, "the calm principal answered after " + ms + " ms");
            }
            sender.join(TimeUnit.SECONDS.toMillis(60));
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertTrue(ms >= AT_LEAST_MS, BIG_MESSAGES + " messages of 128 KiB read in " + ms + " ms");
        }
    }

    private static String session(SecuredServer s, String token) throws Exception {
        var init = s.post(token, null, SecuredServer.initialize(token));
        assertEquals(200, init.statusCode(), init.body());
        return init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    private static java.net.http.HttpRequest postRequest(SecuredServer s, String token, String session, String body) {
        return java.net.http.HttpRequest.newBuilder(s.http.resolve("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + token)
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
