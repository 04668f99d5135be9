package io.mcpserver.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No leaks after many short-lived sessions: each initializes, makes one call and ends in one of the ways clients
 * end — HTTP with DELETE or by vanishing (the idle reaper ends it), TCP and WebSocket by closing or by dropping the
 * socket without a word — in batches, against {@code bin/mcp-server}. Afterwards the heap after a full GC, the JVM's
 * threads and its open files are back within a few percent of the baseline taken after a warm-up batch, and the
 * /metrics session and connection gauges are back to 0 on every transport.
 *
 * <p>{@code ./mvnw verify} runs {@value #SHORT} sessions; the long run is one command (docs/resilience.md):
 * {@code ./mvnw -pl dist -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SessionLeakIT
 * -Dleak.sessions=1000000 -Dleak.max-duration=PT2H}. {@code leak.max-duration} bounds the run: no batch starts after
 * it, and the printout says how many sessions ran.
 */
class SessionLeakIT {

    private static final int SHORT = 4_000;
    private static final int BATCH = 200;
    private static final int PARALLEL = 8;
    private final ShortSessions clients = new ShortSessions();

    @Test
    @Timeout(value = 3, unit = TimeUnit.HOURS) // the long runs; failsafe's default of 5 min would stop them
    void manyShortSessionsLeaveNothingBehind() throws Exception {
        int sessions = Integer.getInteger("leak.sessions", SHORT);
        Duration maxDuration = Duration.parse(System.getProperty("leak.max-duration", "PT2H"));
        try (ServerProcess server = ServerProcess.builder().name("leak").tcp(true).plugins("demo")
                // vanished HTTP sessions end by the idle reaper; 10 s, not less: on a starved machine (the long run
                // beside builds, niced) a client's next request after initialize came more than 2 s later and found
                // its session expired — a correct answer to a slow client, not a leak
                .env("MCP_TRANSPORTS_HTTP_SESSION__IDLE__TIMEOUT", "10s")
                // a closed legacy SSE stream is noticed at its next keep-alive; at about 1,200 sessions a second the
                // vanished and closed ones waiting to be noticed reached the default cap of 10,000 open sessions in
                // the million run: this test is about leaks (the end state), not the cap
                .env("MCP_TRANSPORTS_HTTP_SSE__KEEP__ALIVE", "2s")
                .env("MCP_TRANSPORTS_HTTP_MAX__SESSIONS", "100000")
                .env("MCP_JAVA_OPTS", "-Xmx256m")
                .startupTimeout(Duration.ofSeconds(120)).start()) {
            runBatch(server, 0, BATCH); // warm-up: class loading, JIT, pools
            clients.awaitGaugesAtZero(server);
            ShortSessions.Snapshot baseline = clients.snapshot(server);

            long started = System.nanoTime();
            long stopAt = started + maxDuration.toNanos();
            int ran = 0;
            while (ran < sessions && System.nanoTime() < stopAt) {
                int count = Math.min(BATCH, sessions - ran);
                runBatch(server, BATCH + ran, count);
                ran += count;
                assertTrue(server.isAlive(), server.stderr());
                if (ran % 100_000 == 0) { // progress of a long run
                    System.out.printf("SessionLeakIT: %d sessions, %.0f s%n", ran, (System.nanoTime() - started) / 1e9);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            clients.awaitGaugesAtZero(server);
            ShortSessions.Snapshot after = clients.snapshot(server);
            System.out.printf("SessionLeakIT: %d sessions%s in %.1f s (%.0f/s); baseline %s; after %s%n",
                    ran, ran < sessions ? " (of " + sessions + ", stopped at leak.max-duration " + maxDuration + ")" : "",
                    seconds, ran / seconds, baseline, after);
            assertTrue(after.heapUsed() <= baseline.heapUsed() * 1.10 + 8 * 1024 * 1024,
                    "heap after GC grew: " + baseline + " -> " + after);
            assertTrue(after.threads() <= baseline.threads() * 1.05 + 2, "threads: " + baseline + " -> " + after);
            assertTrue(after.openFiles() <= baseline.openFiles() * 1.05 + 2, "open files: " + baseline + " -> " + after);
        }
    }

    private void runBatch(ServerProcess server, int first, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = first; i < first + count; i++) {
                ShortSessions.Ending ending = ShortSessions.Ending.values()[i % ShortSessions.Ending.values().length];
                int n = i;
                results.add(pool.submit(() -> {
                    clients.run(server, ending, n);
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

}
