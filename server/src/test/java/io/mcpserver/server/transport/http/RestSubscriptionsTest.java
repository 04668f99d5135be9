package io.mcpserver.server.transport.http;

import io.mcpserver.spi.Caller;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Named REST subscriptions are bounded per principal and forgotten when no stream uses them for the idle time. */
class RestSubscriptionsTest {

    private final AtomicLong now = new AtomicLong();
    private final RestSubscriptions subscriptions = new RestSubscriptions(null, 2, Duration.ofMinutes(30), now::get);

    private static Caller caller(String subject) {
        return new Caller(subject, Set.of(), Set.of(), null, null, Map.of());
    }

    @Test
    void aPrincipalHoldsAtMostTheCapAndADeleteFreesASlot() throws Exception {
        String first = subscriptions.create(caller("alice"), "demo://a");
        subscriptions.create(caller("alice"), "demo://b");
        RestSubscriptions.TooManySubscriptions refused = assertThrows(RestSubscriptions.TooManySubscriptions.class,
                () -> subscriptions.create(caller("alice"), "demo://c"));
        assertEquals(2, refused.max);
        subscriptions.create(caller("bob"), "demo://a"); // another principal has its own allowance
        assertTrue(subscriptions.delete(caller("alice"), first));
        subscriptions.create(caller("alice"), "demo://c");
        assertEquals(3, subscriptions.size());
    }

    @Test
    void aSubscriptionNoStreamUsedForTheIdleTimeIsForgotten() throws Exception {
        String old = subscriptions.create(caller("alice"), "demo://a");
        now.addAndGet(Duration.ofMinutes(29).toNanos());
        String recent = subscriptions.create(caller("alice"), "demo://b");
        now.addAndGet(Duration.ofMinutes(4).toNanos()); // the first is 33 min old, the second 4 min
        subscriptions.create(caller("bob"), "demo://x"); // a create sweeps (at most once per tenth of the time)
        assertTrue(subscriptions.uri(caller("alice"), old).isEmpty(), "the idle one was forgotten");
        assertEquals("demo://b", subscriptions.uri(caller("alice"), recent).orElseThrow());
        subscriptions.create(caller("alice"), "demo://c"); // and its slot was freed
    }
}
