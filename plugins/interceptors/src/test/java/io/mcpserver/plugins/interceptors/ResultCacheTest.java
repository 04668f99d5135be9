package io.mcpserver.plugins.interceptors;

import io.mcpserver.spi.Caller;
import io.mcpserver.spi.intercept.InterceptedRequest;
import io.mcpserver.spi.intercept.InterceptorChain;
import io.mcpserver.spi.tools.ToolAnnotations;
import io.mcpserver.spi.tools.ToolDescriptor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultCacheTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicInteger runs = new AtomicInteger();
    private final ResultCache cache = new ResultCache(Duration.ofSeconds(10), 2, now::get);
    private final InterceptorChain method = r -> Map.of("content",
            List.of(Map.of("type", "text", "text", "run " + runs.incrementAndGet())));

    private static InterceptedRequest call(String tool, ToolAnnotations annotations, String subject,
                                           Map<String, Object> arguments) {
        return InterceptedRequest.builder("tools/call").target(tool).transport("tcp")
                .tool(ToolDescriptor.builder(tool).annotations(annotations).build())
                .caller(Caller.builder(subject).build()).arguments(arguments)
                .params(Map.of("name", tool, "arguments", arguments)).build();
    }

    private static final ToolAnnotations SAFE = ToolAnnotations.builder().readOnlyHint(true).idempotentHint(true).build();

    private static String text(Map<String, Object> result) {
        return ((Map<?, ?>) ((List<?>) result.get("content")).get(0)).get("text").toString();
    }

    @Test
    void aRepeatWithinTheTtlIsServedFromTheCacheAndSaysSo() {
        Map<String, Object> first = cache.intercept(call("q", SAFE, "alice", Map.of("x", 1)), method);
        now.addAndGet(Duration.ofSeconds(3).toNanos());
        Map<String, Object> second = cache.intercept(call("q", SAFE, "alice", Map.of("x", 1)), method);
        assertEquals("run 1", text(first));
        assertNull(first.get("_meta"));
        assertEquals("run 1", text(second));
        assertEquals(Map.of("hit", true, "ageMs", 3000L), ((Map<?, ?>) second.get("_meta")).get(ResultCache.META_KEY));
        assertEquals(1, runs.get());
    }

    @Test
    void anExpiredEntryRunsTheToolAgain() {
        cache.intercept(call("q", SAFE, "alice", Map.of()), method);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertEquals("run 2", text(cache.intercept(call("q", SAFE, "alice", Map.of()), method)));
    }

    @Test
    void otherArgumentsCallersOrToolsAreOtherEntries() {
        cache.intercept(call("q", SAFE, "alice", Map.of("x", 1)), method);
        assertEquals("run 2", text(cache.intercept(call("q", SAFE, "alice", Map.of("x", 2)), method)));
        assertEquals("run 3", text(cache.intercept(call("q", SAFE, "bob", Map.of("x", 1)), method)));
        assertEquals("run 4", text(cache.intercept(call("r", SAFE, "alice", Map.of("x", 1)), method)));
    }

    @Test
    void onlyToolsAnnotatedReadOnlyAndIdempotent() {
        ToolAnnotations readOnly = ToolAnnotations.builder().readOnlyHint(true).build();
        ToolAnnotations idempotent = ToolAnnotations.builder().idempotentHint(true).build();
        for (ToolAnnotations a : new ToolAnnotations[]{readOnly, idempotent, null}) {
            cache.intercept(call("q", a, "alice", Map.of()), method);
            cache.intercept(call("q", a, "alice", Map.of()), method);
        }
        assertEquals(6, runs.get());
        assertEquals(0, cache.size());
    }

    @Test
    void errorResultsAndTasksAreNotKept() {
        InterceptorChain failing = r -> {
            runs.incrementAndGet();
            return Map.of("isError", true, "content", List.of());
        };
        cache.intercept(call("q", SAFE, "alice", Map.of()), failing);
        cache.intercept(call("q", SAFE, "alice", Map.of()), failing);
        assertEquals(2, runs.get());
        InterceptedRequest task = call("q", SAFE, "alice", Map.of()).toBuilder()
                .params(Map.of("name", "q", "task", Map.of())).build();
        assertFalse(ResultCache.cacheable(task));
        assertTrue(ResultCache.cacheable(call("q", SAFE, "alice", Map.of())));
        assertFalse(ResultCache.cacheable(InterceptedRequest.builder("prompts/get").target("q").build()));
    }

    @Test
    void aCallAnsweredWithATaskIsNotKeptAndATasksRunIsNeitherServedNorKept() {
        // 2026-07-28: the server chose to run the call as a task; its answer names that one task
        InterceptorChain creates = r -> Map.of("resultType", "task", "taskId", "t-" + runs.incrementAndGet(),
                "status", "working");
        assertEquals("t-1", cache.intercept(call("q", SAFE, "alice", Map.of()), creates).get("taskId"));
        assertEquals("t-2", cache.intercept(call("q", SAFE, "alice", Map.of()), creates).get("taskId"));
        assertEquals(0, cache.size());
        // the run of a task passes the interceptors with its task's id: the tool runs, nothing is stored
        InterceptedRequest run = call("q", SAFE, "alice", Map.of()).toBuilder().taskId("t-2").build();
        assertFalse(ResultCache.cacheable(run));
        cache.intercept(call("q", SAFE, "alice", Map.of()), method); // run 3, stored
        assertEquals("run 4", text(cache.intercept(run, method)), "a task's run is never answered from the cache");
        assertEquals(1, cache.size());
    }

    @Test
    void theLeastRecentlyUsedGoesFirstWhenFull() {
        cache.intercept(call("a", SAFE, "u", Map.of()), method);
        cache.intercept(call("b", SAFE, "u", Map.of()), method);
        cache.intercept(call("a", SAFE, "u", Map.of()), method); // a used again: b is the eldest
        cache.intercept(call("c", SAFE, "u", Map.of()), method);
        assertEquals(2, cache.size());
        assertEquals("run 1", text(cache.intercept(call("a", SAFE, "u", Map.of()), method)));
        assertEquals("run 4", text(cache.intercept(call("b", SAFE, "u", Map.of()), method)));
    }
}
