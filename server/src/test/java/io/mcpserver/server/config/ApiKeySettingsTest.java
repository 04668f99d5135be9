package io.mcpserver.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code security.api-keys} and the keys file: what is read, and every mistake named before the server starts. */
class ApiKeySettingsTest {

    private static final String HASH = "sha256:" + "ab".repeat(32);
    private static final String OTHER = "sha256:" + "cd".repeat(32);

    @TempDir
    Path home;

    private ServerConfig load(String yaml) throws Exception {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
    }

    @Test
    void keysAloneAreEnoughForSecurityAndEveryFieldIsRead() throws Exception {
        SecuritySettings s = load("""
                security:
                  enabled: true
                  api-keys:
                    ci:
                      hash: "%s"
                      scopes: [tools:call, files:read]
                      roles: automation
                      expires: 2027-06-30
                    ops:
                      hash: "%s"
                      subject: alice
                      expires: "2027-06-30T12:00:00Z"
                """.formatted(HASH, OTHER.toUpperCase().replace("SHA256", "sha256"))).security();
        assertTrue(s.enabled());
        assertTrue(!s.jwt().configured(), "no JWT needed with keys");
        ApiKeySettings.ApiKey ci = s.apiKeys().keys().get("ci");
        assertEquals("ci", ci.subject(), "the subject defaults to the name");
        assertEquals(Set.of("tools:call", "files:read"), ci.scopes());
        assertEquals(Set.of("automation"), ci.roles());
        assertEquals(Instant.parse("2027-06-30T00:00:00Z"), ci.expires(), "a date is the start of that day, UTC");
        ApiKeySettings.ApiKey ops = s.apiKeys().keys().get("ops");
        assertEquals("alice", ops.subject());
        assertEquals(OTHER, ops.hash(), "hex is kept in lower case");
        assertEquals(Instant.parse("2027-06-30T12:00:00Z"), ops.expires());
        assertNull(load("security:\n  enabled: true\n  api-keys:\n    k:\n      hash: \"" + HASH + "\"\n")
                .security().apiKeys().keys().get("k").expires());
    }

    @Test
    void everyMistakeIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                security:
                  enabled: true
                  api-keys:
                    raw:
                      hash: mcp_the-key-itself
                    typo:
                      hash: "%s"
                      scope: [x]
                    twice:
                      hash: "%s"
                    late:
                      hash: "%s"
                      expires: next tuesday
                    flat: "%s"
                """.formatted(HASH, HASH, OTHER, HASH)));
        String problems = String.join("\n", e.problems());
        assertTrue(problems.contains("security.api-keys.raw.hash: must be \"sha256:\" and 64 hex digits"), problems);
        assertTrue(problems.contains("security.api-keys.typo.scope: unknown key"), problems);
        assertTrue(problems.contains(".hash: the same key is configured twice"), problems);
        assertTrue(problems.contains("security.api-keys.late.expires: must be an ISO-8601 instant"), problems);
        assertTrue(problems.contains("security.api-keys.flat: an API key is a map"), problems);
    }

    @Test
    void aBrokenKeysFileStopsTheStartAndWithoutKeysTheJwtIsStillRequired() throws Exception {
        Files.writeString(home.resolve("keys.yaml"), "api-keys:\n  k:\n    hash: nope\nother: 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                security:
                  enabled: true
                  api-keys-file: keys.yaml
                """));
        String problems = String.join("\n", e.problems());
        assertTrue(problems.contains("security.api-keys-file: ") && problems.contains("api-keys.k.hash")
                && problems.contains("other: unknown key"), problems);
        ConfigException missing = assertThrows(ConfigException.class, () -> load("security:\n  enabled: true\n"));
        assertTrue(String.join("\n", missing.problems()).contains("security.jwt"), missing.problems().toString());
        ConfigException absent = assertThrows(ConfigException.class,
                () -> load("security:\n  enabled: true\n  api-keys-file: nowhere.yaml\n"));
        assertTrue(String.join("\n", absent.problems()).contains("does not exist"), absent.problems().toString());
    }

    /**
     * A keys file nested without end (an anchor used inside itself) is a problem named with its line, like the
     * configuration's own file: Helidon's reader recursed into it until a StackOverflowError, an Error that passed
     * every catch, at the start and, worse, at the re-read of a running server's keys file on a client's request.
     */
    @Test
    void aKeysFileThatNestsWithoutEndIsAProblemNamedNotAStackOverflow() throws Exception {
        Path file = Files.writeString(home.resolve("keys.yaml"), "api-keys: &k\n  again: *k\n");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> ApiKeySettings.readFile(file));
        assertTrue(e.getMessage().contains("line 1: the anchor &k is used inside itself"), e.getMessage());
        Path list = Files.writeString(home.resolve("list.yaml"), "- api-keys\n");
        java.io.IOException notAMap = assertThrows(java.io.IOException.class, () -> ApiKeySettings.readFile(list));
        assertTrue(notAMap.getMessage().contains("must be a mapping"), notAMap.getMessage());
    }
}
