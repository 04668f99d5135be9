package io.mcpserver.plugins.interceptors;

import io.mcpserver.spi.intercept.InterceptedRequest;
import io.mcpserver.spi.intercept.Interceptor;
import io.mcpserver.spi.intercept.InterceptorChain;
import io.mcpserver.spi.tools.ToolAnnotations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Answers a repeated {@code tools/call} of a tool annotated both read-only and idempotent from a cache, for a TTL:
 * the same tool, caller and arguments get the stored result, marked in {@code _meta} ({@code io.mcpserver/cache}).
 * Only such tools: their hints say a repeat changes nothing and returns the same. Error results and calls run as
 * tasks are not stored. Innermost (order 1000), so that other interceptors' refusals and rewrites come first.
 * A reload of this plugin starts with an empty cache.
 */
final class ResultCache implements Interceptor {

    static final String META_KEY = "io.mcpserver/cache";

    private record Key(String tool, String subject, Map<String, Object> arguments) {
    }

    private record Stored(Map<String, Object> result, long storedNanos) {
    }

    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier clock;
    // a lock, not synchronized: calls run on virtual threads
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Key, Stored> entries;

    ResultCache(Duration ttl, int maxEntries, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
        this.clock = nanoClock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) { // access order: the least recently used goes first
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Stored> eldest) {
                return size() > ResultCache.this.maxEntries;
            }
        };
    }

    @Override
    public String name() {
        return "result-cache";
    }

    @Override
    public int order() {
        return 1000;
    }

    @Override
    public Map<String, Object> intercept(InterceptedRequest request, InterceptorChain chain) {
        if (!cacheable(request)) {
            return chain.proceed(request);
        }
        Key key = new Key(request.target().orElseThrow(),
                request.caller() == null ? null : request.caller().subject(), request.arguments());
        long now = clock.getAsLong();
        Stored hit = lookup(key, now);
        if (hit != null) {
            return Interceptor.withMeta(hit.result(), META_KEY,
                    Map.of("hit", true, "ageMs", (now - hit.storedNanos()) / 1_000_000));
        }
        Map<String, Object> result = chain.proceed(request);
        if (!Boolean.TRUE.equals(result.get("isError")) && !createdTask(result)) {
            store(key, new Stored(frozen(result), clock.getAsLong()));
        }
        return result;
    }

    /** A tools/call of a tool annotated read-only and idempotent, not run as a task. */
    static boolean cacheable(InterceptedRequest request) {
        if (!"tools/call".equals(request.method()) || request.params().containsKey("task")
                || request.taskId().isPresent()) {
            return false;
        }
        ToolAnnotations a = request.tool().map(t -> t.annotations()).orElse(null);
        return a != null && Boolean.TRUE.equals(a.readOnlyHint()) && Boolean.TRUE.equals(a.idempotentHint());
    }

    /**
     * The answer of a call the server ran as a task (2026-07-28: {@code resultType: task}; 2025-11-25: a
     * {@code task}): it names that one task, so it is never an answer to a later call.
     */
    private static boolean createdTask(Map<String, Object> result) {
        return "task".equals(result.get("resultType")) || result.containsKey("task");
    }

    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    private Stored lookup(Key key, long now) {
        lock.lock();
        try {
            Stored e = entries.get(key);
            if (e != null && now - e.storedNanos() >= ttlNanos) {
                entries.remove(key);
                return null;
            }
            return e;
        } finally {
            lock.unlock();
        }
    }

    private void store(Key key, Stored entry) {
        lock.lock();
        try {
            entries.put(key, entry);
        } finally {
            lock.unlock();
        }
    }

    /** A deep read-only copy: what is served later cannot be changed by whoever got it first. */
    @SuppressWarnings("unchecked")
    private static <T> T frozen(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), frozen(v)));
            return (T) Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(frozen(v)));
            return (T) Collections.unmodifiableList(copy);
        }
        return value;
    }
}
