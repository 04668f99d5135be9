package io.mcpserver.server.security;

import io.mcpserver.server.config.SecuritySettings.RateLimitSettings;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static io.mcpserver.server.testing.Properties.forAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token buckets on the injected clock, under any arrival pattern (bursts, gaps, many principals): in every
 * time window no principal gets more than {@code rate × window + burst} requests admitted, nor all of them together
 * more than {@code global × window + globalBurst}; and a refusal's retry hint is honest (asking again after it is
 * admitted, when nothing else came in between).
 */
class RateLimitPropertiesTest {

    private static Session session(String subject) {
        return new Session("s-" + subject, subject, "test",
                new Caller(subject, Set.of(), Set.of(), "test", subject, Map.of()), LogLevel.INFO, null, false);
    }

    @Test
    void noWindowAdmitsMoreThanRateTimesTimePlusBurst() {
        forAll(300, random -> {
            int rate = 1 + random.nextInt(200);
            int burst = 1 + random.nextInt(50);
            int global = random.nextBoolean() ? 0 : 1 + random.nextInt(400);
            int globalBurst = 1 + random.nextInt(80);
            AtomicLong clock = new AtomicLong(random.nextLong(1L << 40));
            RateLimiter limiter = new RateLimiter(new RateLimitSettings(rate, burst, global, globalBurst), true, clock::get);
            List<Session> principals = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                principals.add(session("p" + i));
            }
            Map<String, List<Long>> admitted = new HashMap<>();
            List<Long> all = new ArrayList<>();
            for (int i = 0, n = 50 + random.nextInt(400); i < n; i++) {
                // bursts (no time passes), short gaps and long pauses
                long gap = switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(1_000_000);
                    case 2 -> random.nextInt(50_000_000);
                    default -> random.nextLong(3_000_000_000L);
                };
                clock.addAndGet(gap);
                Session who = principals.get(random.nextInt(principals.size()));
                try {
                    limiter.admit(who, "ping", null);
                    admitted.computeIfAbsent(who.caller().subject(), k -> new ArrayList<>()).add(clock.get());
                    all.add(clock.get());
                } catch (McpException refused) {
                    assertTrue(refused.data().path("retryAfterMs").asLong() >= 1, refused.data().toString());
                }
            }
            for (List<Long> times : admitted.values()) {
                assertWithinBound(times, rate, burst, "per principal");
            }
            if (global > 0) {
                assertWithinBound(all, global, globalBurst, "global");
            }
        });
    }

    @Test
    void aRefusalsRetryHintIsEnough() {
        forAll(300, random -> {
            int rate = 1 + random.nextInt(100);
            int burst = 1 + random.nextInt(20);
            AtomicLong clock = new AtomicLong(random.nextLong(1L << 40));
            RateLimiter limiter = new RateLimiter(new RateLimitSettings(rate, burst, 0, 0), true, clock::get);
            Session alice = session("alice");
            int refusals = 0;
            for (int i = 0; i < 200 && refusals < 5; i++) {
                clock.addAndGet(random.nextInt(3) == 0 ? random.nextInt(20_000_000) : 0);
                try {
                    limiter.admit(alice, "ping", null);
                } catch (McpException refused) {
                    refusals++;
                    long waitMs = refused.data().path("retryAfterMs").asLong();
                    clock.addAndGet(waitMs * 1_000_000L);
                    limiter.admit(alice, "ping", null); // throws if the hint was too short
                }
            }
        });
    }

    /** For every window between two admissions [t_i, t_j]: j - i + 1 ≤ rate × (t_j - t_i) + burst. */
    private static void assertWithinBound(List<Long> times, int rate, int burst, String which) {
        for (int i = 0; i < times.size(); i++) {
            for (int j = i; j < times.size(); j++) {
                double seconds = (times.get(j) - times.get(i)) / 1e9;
                long count = j - i + 1;
                assertTrue(count <= rate * seconds + burst + 1e-6, which + ": " + count + " admitted in "
                        + seconds + " s with rate " + rate + "/s and burst " + burst);
            }
        }
    }
}
