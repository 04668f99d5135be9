package io.mcpserver.server.observe;

import io.helidon.metrics.api.MetricsFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Helidon's registry made ahead on another thread (Main does so while it reads the configuration) is the one the
 * server's meters land in, also when the server is made while it is still being made: there is one registry, and
 * what {@code /metrics} serves has the server's meters.
 */
class ServerMetricsPrepareTest {

    @Test
    void aServerMadeWhileTheRegistryIsPreparedUsesThatOneRegistry() throws Exception {
        List<ServerMetrics> made = new ArrayList<>();
        try {
            ServerMetrics.prepareRegistry();
            ServerMetrics.prepareRegistry(); // a second call while the first runs starts nothing more
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    ServerMetrics m = new ServerMetrics(method -> true, tool -> true);
                    synchronized (made) {
                        made.add(m);
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertTrue(made.size() == 4, "every server was made");
            var global = MetricsFactory.getInstance().globalRegistry(made.getFirst().metricsConfig());
            for (ServerMetrics m : made) {
                assertSame(global, m.registry());
            }
            assertTrue(global.meters().stream().anyMatch(m -> m.id().name().equals("mcp.plugin.load.failures")),
                    "the server's meters are in the registry /metrics serves");
        } finally {
            made.forEach(ServerMetrics::close);
        }
    }
}
