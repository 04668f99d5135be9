package io.mcpserver.e2e;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/mcp-server --check-config} and startup judge a configuration the same way: the shipped file is valid,
 * and a key that does not exist (a typo) is refused with the key named and the right one suggested.
 */
class CheckConfigIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String TYPO = "security:\n  enable: true\n";
    private static final String REFUSAL = "security.enable: unknown key; did you mean security.enabled?";

    @Test
    void theShippedConfigurationIsValid() throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("check-config-shipped").args("--check-config")
                .run(TIMEOUT);
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().startsWith("# configuration is valid"), result.stdout());
    }

    @Test
    void checkConfigRefusesAnUnknownKeyAndSuggestsTheRightOne() throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("check-config-typo").config(TYPO)
                .args("--check-config").run(TIMEOUT);
        assertEquals(2, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains(REFUSAL), result.stderr());
        assertFalse(result.stdout().contains("configuration is valid"), result.stdout());
    }

    @Test
    void theServerDoesNotStartWithAnUnknownKey() throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("start-typo").config(TYPO).run(TIMEOUT);
        assertEquals(2, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains(REFUSAL), result.stderr());
    }

    @Test
    void aFileNestedWithoutEndIsRefusedWithTheLimitNamed() throws Exception {
        // an anchor used inside itself: Helidon's parser recursed until StackOverflowError (found by ConfigFuzzTest)
        ServerProcess.Result result = ServerProcess.builder().name("check-config-nesting")
                .config("plugins:\n  demo:\n    tags: &t [x, *t]\n").args("--check-config").run(TIMEOUT);
        assertEquals(2, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("line 3: the anchor &t is used inside itself, which nests without end "
                + "(at most 50 levels are read)"), result.stderr());
        assertFalse(result.stderr().contains("StackOverflowError"), result.stderr());
    }

    @Test
    void anUnknownKeyFromTheEnvironmentIsRefusedToo() throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("check-config-env-typo")
                .env("MCP_SECURITY_ENABLE", "true").args("--check-config").run(TIMEOUT);
        assertEquals(2, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains(REFUSAL), result.stderr());
    }

    @Test
    void anotherProgramsMcpVariableIsIgnoredWithAWarning() throws Exception {
        // AI clients read MCP_TIMEOUT themselves and pass their environment to the servers they start
        ServerProcess.Result result = ServerProcess.builder().name("check-config-env-other")
                .env("MCP_TIMEOUT", "30000").args("--check-config").run(TIMEOUT);
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().startsWith("# configuration is valid"), result.stdout());
        assertTrue(result.stderr().contains("ignoring environment variable(s) MCP_TIMEOUT"), result.stderr());
    }
}
