package io.mcpserver.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code server.carrier-threads}: the server, started as a user starts it, runs its virtual threads on 4 carriers per
 * processor (not the JDK's one), or on as many as configured; a {@code -D} on the command line wins. The scheduler
 * reads its parallelism once, so the server must set it before its first virtual thread: on JDK 24 and later the log
 * line is checked against the running scheduler and would say "but the scheduler runs …" if that came too late.
 */
class CarrierThreadsIT {

    @Test
    void byDefaultFourCarriersPerProcessor() throws Exception {
        try (ServerProcess server = ServerProcess.builder().name("carrier-threads-default").start()) {
            int processors = Runtime.getRuntime().availableProcessors();
            String log = server.stderr();
            assertTrue(log.contains("Virtual threads: " + 4 * processors + " (4 × " + processors
                    + " processors) carrier threads"), log);
            assertFalse(log.contains("but the scheduler runs"), log);
        }
    }

    @Test
    void asManyAsConfiguredAndTheCommandLineWins() throws Exception {
        try (ServerProcess server = ServerProcess.builder().name("carrier-threads-set")
                .args("--set", "server.carrier-threads=3").start()) {
            String log = server.stderr();
            assertTrue(log.contains("Virtual threads: 3 (server.carrier-threads) carrier threads"), log);
            assertFalse(log.contains("but the scheduler runs"), log);
        }
        try (ServerProcess server = ServerProcess.builder().name("carrier-threads-java-opts")
                .env("MCP_JAVA_OPTS", "-Djdk.virtualThreadScheduler.parallelism=5")
                .args("--set", "server.carrier-threads=3").start()) {
            String log = server.stderr();
            assertTrue(log.contains("Virtual threads: 5 (-Djdk.virtualThreadScheduler.parallelism) carrier threads"), log);
            assertFalse(log.contains("but the scheduler runs"), log);
        }
    }
}
