package io.mcpserver.server.observe;

import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The console's recent traffic: one-second buckets that are reused after ten minutes, and the last errors. */
class RecentActivityTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final RecentActivity activity = new RecentActivity(now::get);
    private final Session session = new SessionRegistry(LogLevel.INFO).open("tcp", Caller.builder("alice").build(), null);

    @Test
    void countsRequestsErrorsAndLatencyPerSecond() {
        activity.record(ok(2_000_000));
        activity.record(ok(4_000_000));
        activity.record(error("tools/call", "boom"));
        now.addAndGet(1000);
        activity.record(ok(1_000_000));

        List<RecentActivity.Point> series = activity.series(3);
        assertEquals(3, series.size());
        assertEquals(0, series.get(0).requests(), "nothing two seconds ago");
        RecentActivity.Point busy = series.get(1);
        assertEquals(3, busy.requests());
        assertEquals(1, busy.errors());
        assertEquals(5.0, busy.maxMillis(), 1e-9);
        assertEquals((2 + 4 + 5) / 3.0, busy.meanMillis(), 1e-9);
        assertEquals(1, series.get(2).requests());

        RecentActivity.RecentError e = activity.errors().getFirst();
        assertEquals("alice", e.principal());
        assertEquals("tools/call", e.method());
        assertEquals("slow", e.target());
        assertEquals(-32603, e.code());
        assertEquals("boom", e.message());
    }

    @Test
    void aBucketTenMinutesOldIsNotCountedAgain() {
        activity.record(ok(1_000_000));
        now.addAndGet(RecentActivity.SECONDS * 1000L);
        activity.record(ok(1_000_000));
        List<RecentActivity.Point> series = activity.series(RecentActivity.SECONDS);
        assertEquals(1, series.stream().mapToLong(RecentActivity.Point::requests).sum());
        assertEquals(1, series.getLast().requests());
    }

    @Test
    void keepsOnlyTheLatestErrorsNewestFirst() {
        for (int i = 0; i < RecentActivity.ERRORS + 5; i++) {
            activity.record(error("prompts/get", "e" + i));
        }
        assertEquals(RecentActivity.ERRORS, activity.errors().size());
        assertEquals("e" + (RecentActivity.ERRORS + 4), activity.errors().getFirst().message());
    }

    private RequestHook.Completion ok(long nanos) {
        return new RequestHook.Completion(session, "ping", null, Json.object(), null, false, nanos);
    }

    private RequestHook.Completion error(String method, String message) {
        var params = Json.object().put("name", "slow");
        return new RequestHook.Completion(session, method, params, null, new McpException(-32603, message), false,
                5_000_000);
    }
}
