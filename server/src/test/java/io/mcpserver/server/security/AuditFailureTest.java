package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.config.SecuritySettings.AuditSettings;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An audit file that cannot be written (issue 12, item 3: {@code audit.file=/dev/full} killed the writer, then
 * every audited call blocked a thread forever and {@code /health} stayed 200). The writer must survive, never
 * block a request, show its state in {@code /health} and the meters, and follow {@code audit.on-failure}.
 */
class AuditFailureTest {

    private static final Path FULL = Path.of("/dev/full");

    @TempDir
    Path home;

    @Test
    void callsGoOnWhileHealthAndMetricsSayTheTrailIsLost() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(FULL), "needs /dev/full");
        SecuredServer s = new SecuredServer(home, """
                audit:
                  file: /dev/full
                  on-failure: continue
                """, "");
        try (LineClient alice = s.tcpAs("alice")) {
            for (int i = 0; i < 30; i++) {
                assertEquals("n" + i, alice.request(SecuredServer.echo(10 + i, "n" + i)).path("result")
                        .path("content").path(0).path("text").asText());
            }
            awaitTrue(() -> {
                try {
                    return s.get("/health").statusCode() == 503;
                } catch (Exception e) {
                    return false;
                }
            });
            HttpResponse<String> health = s.get("/health");
            assertEquals(503, health.statusCode());
            assertTrue(health.body().contains("audit") && health.body().contains("/dev/full"), health.body());
            String metrics = s.get("/metrics").body();
            assertEquals(0.0, sample(metrics, "mcp_audit_healthy"));
            double dropped = sample(metrics, "mcp_audit_records_dropped_total");
            assertTrue(dropped >= 1, "lost records are counted: " + dropped);
            // still serving with on-failure: continue
            assertEquals("after", alice.request(SecuredServer.echo(99, "after")).path("result").path("content")
                    .path(0).path("text").asText());
            // the counter follows later losses too (a functional counter read once would stay at its first value).
            // The record of "after" is counted when the writer next tries the file: it backs off 1, 2, 4 ... 30 s
            // between tries, and under load the 30 calls above can span several tries, so allow the longest pause.
            awaitTrue(Duration.ofSeconds(45), () -> {
                try {
                    return sample(s.get("/metrics").body(), "mcp_audit_records_dropped_total") > dropped;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            long t0 = System.nanoTime();
            s.close();
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15), "shutdown does not hang on the audit writer");
        }
    }

    @Test
    void onFailureRefuseRefusesAuditedCallsButNothingElse() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(FULL), "needs /dev/full");
        try (SecuredServer s = new SecuredServer(home, """
                audit:
                  file: /dev/full
                  on-failure: refuse
                """, "");
             LineClient alice = s.tcpAs("alice")) {
            alice.request(SecuredServer.echo(2, "first")); // its record is what fails
            awaitTrue(() -> !s.server.security().audit().healthy());
            JsonNode refused = alice.request(SecuredServer.echo(3, "second"));
            assertEquals(-32603, refused.path("error").path("code").asInt(), refused.toString());
            assertTrue(refused.path("error").path("message").asText().contains("audit.on-failure"), refused.toString());
            JsonNode list = alice.request("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}");
            assertTrue(list.has("result"), "calls that are not audited go on: " + list);
        }
    }

    @Test
    void recordingNeverBlocksTheCallerEvenWhenNothingCanBeWritten() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(FULL), "needs /dev/full");
        AuditLog log = new AuditLog(new AuditSettings(true, home.resolve("calls.log"), FULL, 1 << 20, 2, false,
                AuditSettings.OnFailure.CONTINUE), Clock.systemUTC());
        log.start();
        try {
            // more records than the queue holds: the old writer died on the first flush and then every caller blocked
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (int i = 0; i < 100_000; i++) {
                    log.authenticationFailed("tcp", "127.0.0.1:" + i,
                            new AuthFailure(AuthFailure.Reason.EXPIRED, "the token expired"));
                }
            });
            awaitTrue(() -> !log.healthy());
            assertTrue(log.dropped() > 0);
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(15), log::close);
        }
    }

    @Test
    void theWriterResumesOnceTheFileCanBeWrittenAgain() throws Exception {
        Path refusals = home.resolve("refusals.log");
        Path blocker = home.resolve("refusals.log.1");
        // rotating needs refusals.log.1 deleted; a non-empty directory there makes every rotation fail
        Files.createDirectories(blocker);
        Files.writeString(blocker.resolve("keep"), "x");
        AuditLog log = new AuditLog(new AuditSettings(true, home.resolve("calls.log"), refusals, 300, 1, false,
                AuditSettings.OnFailure.CONTINUE), Clock.systemUTC());
        log.start();
        try {
            for (int i = 0; i < 3; i++) {
                log.authenticationFailed("tcp", "10.0.0." + i, new AuthFailure(AuthFailure.Reason.EXPIRED, "expired"));
            }
            awaitTrue(() -> !log.healthy());
            assertFalse(log.problems().isEmpty());
            try (var files = Files.walk(blocker)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            awaitTrue(() -> {
                log.authenticationFailed("tcp", "10.9.9.9", new AuthFailure(AuthFailure.Reason.EXPIRED, "expired"));
                return log.healthy();
            });
            log.awaitWritten(5, TimeUnit.SECONDS);
            assertTrue(log.problems().isEmpty());
            assertTrue(Files.readString(refusals).contains("10.9.9.9"), "records are written again");
        } finally {
            log.close();
        }
    }

    private static double sample(String exposition, String name) {
        return Double.parseDouble(exposition.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + exposition))
                .replaceAll(".* ", ""));
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        awaitTrue(Duration.ofSeconds(10), condition);
    }

    private static void awaitTrue(Duration wait, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in " + wait.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }
}
