package io.mcpserver.server.security;

import io.mcpserver.server.config.SecuritySettings.RateLimitSettings;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token buckets on a clock the test moves by hand: exact counts and retry hints, no wall-clock race. */
class RateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private void advanceMillis(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    private static Session session(String subject, String clientId) {
        return new Session("s-" + clientId, clientId, "test",
                new Caller(subject, Set.of(), Set.of(), "test", clientId, Map.of()), LogLevel.INFO, null, false);
    }

    private RateLimiter limiter(RateLimitSettings settings, boolean bySubject) {
        return new RateLimiter(settings, bySubject, nanos::get);
    }

    private static McpException refused(RateLimiter limiter, Session session) {
        return assertThrows(McpException.class, () -> limiter.admit(session, "ping", null));
    }

    @Test
    void aBurstIsAdmittedThenRefusedWithTheExactWaitUntilTheNextToken() {
        RateLimiter limiter = limiter(new RateLimitSettings(2, 3, 0, 0), true);
        Session alice = session("alice", "c1");
        for (int i = 0; i < 3; i++) {
            limiter.admit(alice, "ping", null);
        }
        McpException e = refused(limiter, alice);
        assertEquals(ErrorCodes.LIMIT_EXCEEDED, e.code());
        assertEquals(500, e.data().path("retryAfterMs").asLong(), e.data().toString());
        assertEquals(1, e.data().path("retryAfterSeconds").asLong());
        assertTrue(e.getMessage().contains("'alice'") && e.getMessage().contains("2 requests/s"), e.getMessage());

        advanceMillis(499);
        assertEquals(1, refused(limiter, alice).data().path("retryAfterMs").asLong(), "a refusal takes no token");
        advanceMillis(1);
        assertDoesNotThrow(() -> limiter.admit(alice, "ping", null));
        refused(limiter, alice);
    }

    @Test
    void anIdleBucketRefillsOnlyUpToItsBurst() {
        RateLimiter limiter = limiter(new RateLimitSettings(10, 2, 0, 0), true);
        Session alice = session("alice", "c1");
        advanceMillis(60_000);
        limiter.admit(alice, "ping", null);
        limiter.admit(alice, "ping", null);
        refused(limiter, alice);
    }

    @Test
    void withSecurityOnTheSubjectIsThePrincipalAcrossConnections() {
        RateLimiter limiter = limiter(new RateLimitSettings(1, 1, 0, 0), true);
        limiter.admit(session("alice", "c1"), "ping", null);
        refused(limiter, session("alice", "c2")); // another connection of the same subject
        assertDoesNotThrow(() -> limiter.admit(session("bob", "c3"), "ping", null));
    }

    @Test
    void withoutSecurityEachConnectionIsItsOwnPrincipal() {
        RateLimiter limiter = limiter(new RateLimitSettings(1, 1, 0, 0), false);
        limiter.admit(session("anonymous", "c1"), "ping", null);
        assertDoesNotThrow(() -> limiter.admit(session("anonymous", "c2"), "ping", null));
        McpException e = refused(limiter, session("anonymous", "c1"));
        assertTrue(e.getMessage().contains("this client"), e.getMessage());
    }

    @Test
    void theGlobalBucketCountsEveryone() {
        RateLimiter limiter = limiter(new RateLimitSettings(0, 0, 1, 2), true);
        limiter.admit(session("a", "c1"), "ping", null);
        limiter.admit(session("b", "c2"), "ping", null);
        McpException e = refused(limiter, session("c", "c3"));
        assertTrue(e.getMessage().contains("busy"), e.getMessage());
        assertEquals(1000, e.data().path("retryAfterMs").asLong());
        advanceMillis(1000);
        assertDoesNotThrow(() -> limiter.admit(session("c", "c3"), "ping", null));
    }

    @Test
    void aRequestTheGlobalBucketRefusesDoesNotSpendItsPrincipalsToken() {
        // one request per second each, ten in all: a busy server must not also push bob over his own rate
        RateLimiter limiter = limiter(new RateLimitSettings(1, 1, 10, 1), true);
        limiter.admit(session("alice", "c1"), "ping", null); // takes the only global token
        Session bob = session("bob", "c2");
        assertTrue(refused(limiter, bob).getMessage().contains("busy"));
        advanceMillis(100); // the global bucket has a token again; bob's was never spent
        assertDoesNotThrow(() -> limiter.admit(bob, "ping", null));
        advanceMillis(100);
        assertTrue(refused(limiter, bob).getMessage().contains("'bob'"), "now bob has spent his own token");
    }

    @Test
    void offAdmitsEverything() {
        RateLimiter limiter = limiter(RateLimitSettings.OFF, true);
        Session alice = session("alice", "c1");
        for (int i = 0; i < 1000; i++) {
            limiter.admit(alice, "ping", null);
        }
        assertEquals(0, limiter.principalBuckets());
    }

    @Test
    void aboveTenThousandPrincipalsTheIdleBucketsAreSweptAndTheBusyOnesKept() {
        RateLimiter limiter = limiter(new RateLimitSettings(1, 2, 0, 0), true);
        for (int i = 0; i < 10_001; i++) {
            limiter.admit(session("idle-" + i, "c" + i), "ping", null);
        }
        assertEquals(10_001, limiter.principalBuckets());
        advanceMillis(1000); // every bucket is full again
        Session busy = session("busy", "busy");
        limiter.admit(busy, "ping", null); // this admission sweeps the 10,001 idle ones first
        assertEquals(1, limiter.principalBuckets(), "only the bucket in use is left");
        limiter.admit(busy, "ping", null);
        refused(limiter, busy); // the sweep did not reset a bucket in use
        for (int i = 0; i < 10_000; i++) {
            limiter.admit(session("more-" + i, "m" + i), "ping", null);
        }
        limiter.admit(session("last", "last"), "ping", null); // sweeps, at the same instant: nothing is full
        assertEquals(10_002, limiter.principalBuckets(), "buckets not yet refilled are kept");
        refused(limiter, busy);
    }

    private static RateLimitSettings bytes(long perSecond, long burst) {
        return new RateLimitSettings(0, 0, 0, 0, 10, 100, 100, 1 << 20, perSecond, burst);
    }

    @Test
    void aByteBudgetTakesMessagesUntilItIsSpentThenRefusesWithTheWaitForTheNextOneAndTakesNothing() {
        RateLimiter limiter = limiter(bytes(1000, 3000), true);
        Session alice = session("alice", "c1");
        Session aliceElsewhere = session("alice", "c2");
        assertEquals(null, limiter.takeBytes(alice, 2000));
        assertEquals(null, limiter.takeBytes(aliceElsewhere, 1000), "one budget over all the subject's connections");
        McpException e = limiter.takeBytes(alice, 500);
        assertEquals(ErrorCodes.LIMIT_EXCEEDED, e.code());
        assertEquals(500, e.data().path("retryAfterMs").asLong(), e.data().toString());
        assertTrue(e.getMessage().contains("'alice'") && e.getMessage().contains("1000 bytes/s"), e.getMessage());
        advanceMillis(499);
        assertEquals(1, limiter.takeBytes(alice, 500).data().path("retryAfterMs").asLong(), "a refusal takes nothing");
        advanceMillis(1);
        assertEquals(null, limiter.takeBytes(alice, 500));
        assertEquals(null, limiter.takeBytes(session("bob", "c3"), 3000), "bob has a budget of his own");
        assertEquals("sub:alice", limiter.principal(alice),
                "a byte budget makes the subject the principal its connections are paced as");
    }

    @Test
    void aMessageLargerThanTheBurstPassesWhenTheBudgetIsFull() {
        RateLimiter limiter = limiter(bytes(1000, 3000), true);
        Session alice = session("alice", "c1");
        assertEquals(null, limiter.takeBytes(alice, 10_000), "the size limit, not the burst, bounds one message");
        assertEquals(3000, limiter.takeBytes(alice, 10_000).data().path("retryAfterMs").asLong(),
                "then the whole burst must have come back");
    }

    @Test
    void withoutAByteBudgetNothingIsCounted() {
        RateLimiter limiter = limiter(RateLimitSettings.OFF, true);
        assertEquals(null, limiter.takeBytes(session("alice", "c1"), Long.MAX_VALUE / 2));
        assertTrue(!limiter.countsBytes());
    }
}
