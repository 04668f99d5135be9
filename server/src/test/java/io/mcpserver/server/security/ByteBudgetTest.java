package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A principal that stays within its request rate (here: none is set) but sends large messages meets its byte budget,
 * {@code limits.rate.per-principal-bytes-per-second}: the message beyond it is refused with -32000 before it is parsed,
 * and its connections are read at {@code paced-bytes-per-second} from then on, while a calm principal beside it is
 * served at once. Before the budget the fairness benchmark's WebSocket flooder (512 KiB messages, about 10 answered a
 * second) was never refused and never paced (docs/benchmarks.md). And a client that uploads a few MB now and then
 * does not meet a team server's budget.
 */
class ByteBudgetTest {

    private static final String LIMITS = """
            limits:
              max-message-size: 1MiB
              rate:
                per-principal-bytes-per-second: 256KiB
                per-principal-bytes-burst: 512KiB
                paced-bytes-per-second: 256KiB
            """;
    private static final int BIG_MESSAGES = 16;
    private static final String BIG = "p".repeat(128 * 1024);
    /**
     * 16 × 128 KiB: the burst takes four, the other twelve are read at 256 KiB/s, about 6 s; unpaced, all of them in
     * well under a second.
     */
    private static final long AT_LEAST_MS = 4_000;
    private static final long CALM_BOUND_MS = 3_000;

    @TempDir
    Path home;

    @Test
    void aWebSocketPrincipalSendingLargeMessagesWithinItsRequestRateIsRefusedAndReadAtItsByteBudget() throws Exception {
        try (SecuredServer s = new SecuredServer(home, LIMITS, "", Map.of())) {
            BlockingQueue<String> flooderInbox = new LinkedBlockingQueue<>();
            BlockingQueue<String> calmInbox = new LinkedBlockingQueue<>();
            WebSocket flooder = s.webSocketAs("flooder", flooderInbox);
            WebSocket calm = s.webSocketAs("calm", calmInbox);
            try {
                long started = System.nanoTime();
                Thread sender = FloodBeside.send(flooder, BIG_MESSAGES, BIG);
                Thread.sleep(300); // the flood is on
                FloodBeside.assertCalmServed(calm, calmInbox, CALM_BOUND_MS);
                List<JsonNode> replies = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (replies.size() < BIG_MESSAGES && System.nanoTime() < deadline) {
                    String m = flooderInbox.poll(1, TimeUnit.SECONDS);
                    if (m != null) {
                        replies.add(Json.parse(m));
                    }
                }
                sender.join();
                long ms = (System.nanoTime() - started) / 1_000_000;
                assertFlooderHeld(replies, ms);
            } finally {
                flooder.abort();
                calm.abort();
            }
        }
    }

    @Test
    void aTcpPrincipalSendingLargeMessagesWithinItsRequestRateIsRefusedAndReadAtItsByteBudget() throws Exception {
        try (SecuredServer s = new SecuredServer(home, LIMITS, "", Map.of());
             LineClient flooder = s.tcpAs("flooder"); LineClient calm = s.tcpAs("calm")) {
            long started = System.nanoTime();
            Thread sender = FloodBeside.send(flooder, BIG_MESSAGES, BIG);
            Thread.sleep(300);
            FloodBeside.assertCalmServed(calm, CALM_BOUND_MS);
            flooder.timeout(java.time.Duration.ofSeconds(30));
            List<JsonNode> replies = new ArrayList<>();
            for (int i = 0; i < BIG_MESSAGES; i++) {
                replies.add(flooder.response(1000 + i));
            }
            sender.join();
            assertFlooderHeld(replies, (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Streamable HTTP: a body beyond the budget is answered 429 with Retry-After before it is read. */
    @Test
    void anHttpPrincipalSendingLargeBodiesIsAnswered429BeyondItsByteBudget() throws Exception {
        try (SecuredServer s = new SecuredServer(home, LIMITS, "", Map.of())) {
            String flooder = s.token("flooder");
            String session = session(s, flooder);
            int refused = 0;
            String retryAfter = null;
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> reply = s.post(flooder, session, SecuredServer.echo(1000 + i, BIG));
                if (reply.statusCode() == 429) {
                    refused++;
                    retryAfter = reply.headers().firstValue("Retry-After").orElse(null);
                    assertTrue(reply.body().contains("Byte rate limit exceeded for 'flooder'"), reply.body());
                } else {
                    assertEquals(200, reply.statusCode(), reply.body());
                }
            }
            assertTrue(refused > 0, "8 bodies of 128 KiB at once, against a burst of 512 KiB: none refused");
            assertNotNull(retryAfter, "a 429 without Retry-After");
            String calm = s.token("calm");
            var reply = s.post(calm, session(s, calm), SecuredServer.echo(2, "calm"));
            assertEquals(200, reply.statusCode(), "another principal's budget is its own: " + reply.body());
        }
    }

    /**
     * The legacy HTTP+SSE transport's {@code POST /message} too: before, its bodies were neither paced nor counted, so
     * a flooder moved to that endpoint was read at full speed.
     */
    @Test
    void aLegacySsePrincipalPostingLargeBodiesIsAnswered429BeyondItsByteBudget() throws Exception {
        try (SecuredServer s = new SecuredServer(home, LIMITS, "", Map.of())) {
            String flooder = s.token("flooder");
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            HttpResponse<java.io.InputStream> stream = client.send(java.net.http.HttpRequest.newBuilder(
                    s.http.resolve("/sse")).header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer " + flooder).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, stream.statusCode());
            try (var events = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                String endpoint = null;
                for (String line; endpoint == null && (line = events.readLine()) != null; ) {
                    if (line.startsWith("data: ")) {
                        endpoint = line.substring("data: ".length()).trim();
                    }
                }
                assertNotNull(endpoint, "no endpoint event");
                int refused = 0;
                String retryAfter = null;
                for (int i = 0; i < 8; i++) {
                    HttpResponse<String> reply = client.send(java.net.http.HttpRequest.newBuilder(
                            s.http.resolve(endpoint)).header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + flooder)
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(SecuredServer.echo(1000 + i, BIG)))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (reply.statusCode() == 429) {
                        refused++;
                        retryAfter = reply.headers().firstValue("Retry-After").orElse(null);
                        assertTrue(reply.body().contains("Byte rate limit exceeded for 'flooder'"), reply.body());
                    } else {
                        assertEquals(202, reply.statusCode(), reply.body());
                    }
                }
                assertTrue(refused > 0, "8 bodies of 128 KiB at once, against a burst of 512 KiB: none refused");
                assertNotNull(retryAfter, "a 429 without Retry-After");
            }
        }
    }

    /**
     * The budget conf/mcp-server.yaml suggests for a team server (8 MiB/s) with the default burst (64 MiB): a client
     * uploading a few MB at once is served in full, never refused.
     */
    @Test
    void aClientUploadingAFewMegabytesDoesNotMeetATeamServersBudget() throws Exception {
        try (SecuredServer s = new SecuredServer(home, "", "",
                Map.of("limits.rate.per-principal-bytes-per-second", "8MiB"));
             LineClient uploader = s.tcpAs("uploader")) {
            String threeMegabytes = "u".repeat(3 * 1024 * 1024);
            for (int i = 0; i < 6; i++) {
                uploader.send(SecuredServer.echo(100 + i, threeMegabytes));
            }
            uploader.timeout(java.time.Duration.ofSeconds(60));
            for (int i = 0; i < 6; i++) {
                JsonNode reply = uploader.response(100 + i);
                assertEquals(threeMegabytes.length(), reply.at("/result/content/0/text").asText().length(),
                        "upload " + i + ": " + (reply.has("error") ? reply.get("error") : "no text"));
            }
        }
    }

    /** Some of the flooder's messages refused for bytes, the rest answered, and all of them read no faster than paced. */
    private static void assertFlooderHeld(List<JsonNode> replies, long ms) {
        assertEquals(BIG_MESSAGES, replies.size(), "the flooder's messages unanswered: " + replies.size() + " answers");
        long refused = replies.stream().filter(r -> r.path("error").path("code").asInt() == -32000
                && r.path("error").path("message").asText().contains("Byte rate limit exceeded for 'flooder'")).count();
        long answered = replies.stream().filter(r -> r.has("result")).count();
        assertTrue(refused > 0, "no message of the flooder refused for its bytes (" + answered + " answered in " + ms
                + " ms)");
        assertEquals(BIG_MESSAGES, refused + answered, replies.toString().substring(0, 500));
        assertTrue(ms >= AT_LEAST_MS, BIG_MESSAGES + " messages of 128 KiB read in " + ms + " ms");
    }

    private static String session(SecuredServer s, String token) throws Exception {
        var init = s.post(token, null, SecuredServer.initialize(token));
        assertEquals(200, init.statusCode(), init.body());
        return init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }
}
