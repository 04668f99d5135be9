package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack from outside testing (issue 12, item 1): tokens whose {@code kid} header is megabytes long, sent
 * without any valid credential, used to be echoed whole into the reply and the audit line, and rotated every
 * record of authenticated calls out of the audit trail within seconds.
 */
class AuditTrailAttackTest {

    @TempDir
    Path home;

    @Test
    void hugeKidsAreNotEchoedAndCannotRotateTheRecordsOfCallsAway() throws Exception {
        try (SecuredServer s = new SecuredServer(home, """
                audit:
                  max-file-size: 64KiB
                  max-files: 1
                """, "")) {
            try (LineClient alice = s.tcpAs("alice")) {
                assertEquals("kept", alice.request(SecuredServer.echo(2, "kept")).path("result").path("content")
                        .path(0).path("text").asText());
            }
            String hugeKid = "k".repeat(2_900_000);
            String token = TestTokens.sign("RS256", hugeKid, TestTokens.claims("mallory", null), "SHA256withRSA",
                    s.tokens.rsa.getPrivate());
            for (int i = 0; i < 20; i++) {
                try (LineClient attacker = s.tcp()) {
                    attacker.send(SecuredServer.initialize(token));
                    String reply = attacker.readText();
                    assertTrue(reply.length() < 1_000, "the refusal is bounded, was " + reply.length() + " chars");
                    JsonNode error = io.mcpserver.server.json.Json.parse(reply).path("error");
                    assertEquals(-32001, error.path("code").asInt());
                    assertTrue(error.path("message").asText().contains("(2900000 chars)"), reply);
                }
            }
            // over HTTP the kid ends up in the WWW-Authenticate header and the body as well
            String longKid = TestTokens.sign("RS256", "x\"\\\u0001".repeat(1000), TestTokens.claims("mallory", null),
                    "SHA256withRSA", s.tokens.rsa.getPrivate());
            HttpResponse<String> refused = s.post(longKid, null, SecuredServer.initialize("unused"));
            assertEquals(401, refused.statusCode());
            String challenge = refused.headers().firstValue("WWW-Authenticate").orElseThrow();
            assertTrue(challenge.length() < 500, challenge);
            assertTrue(refused.body().length() < 1_000, refused.body());

            List<JsonNode> calls = s.lines(home.resolve("logs/audit.log"));
            assertTrue(calls.stream().anyMatch(l -> l.path("principal").asText().equals("alice")),
                    "the authenticated call's record is still there: " + calls);
            assertFalse(Files.exists(home.resolve("logs/audit.log.1")), "refusals did not rotate the calls' file");
            List<String> refusals = Files.readAllLines(home.resolve("logs/audit-refusals.log"));
            assertTrue(refusals.size() >= 21, refusals.size() + " refusal lines");
            refusals.forEach(l -> assertTrue(l.length() < 1_000, "a refusal line is bounded: " + l.length()));
        }
    }
}
