package io.mcpserver.server.plugins;

import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.spi.PluginConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.Watchable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watcher's answer to OVERFLOW (the platform dropped events because too many came at once): it rescans
 * the plugins folder. The JDK only signals OVERFLOW past hundreds of queued events, which a test cannot force
 * reliably, so a scripted watch service reports nothing on its own and delivers OVERFLOW when the test says so:
 * whatever the watcher then does comes from the rescan alone.
 */
class PluginWatcherOverflowTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path plugins;
    @TempDir
    Path data;

    private final FeatureRegistry registry = new FeatureRegistry();
    private final ScriptedWatching watching = new ScriptedWatching();

    private PluginLoader loader() {
        return new PluginLoader(plugins, data, name -> new PluginConfig(Map.of()), registry, uri -> { });
    }

    private Path plugin(Path target, String name, String tool) throws Exception {
        String pkg = "p" + name;
        return TestJars.jar(target, Map.of(pkg + ".Plugin", TestJars.pluginSource(pkg, "Plugin", name, tool, "\"hi\"")),
                pkg + ".Plugin", "1");
    }

    @Test
    void overflowRescanLoadsWhatArrivedUnreportedAndWatchesNewPluginDirectories() throws Exception {
        try (PluginLoader loader = loader()) {
            loader.loadAll();
            try (PluginWatcher ignored = PluginWatcher.start(loader, Duration.ofMillis(50), watching)) {
                plugin(plugins.resolve("burst.jar"), "burst", "from_burst");
                Path dirPlugin = Files.createDirectory(plugins.resolve("dirplugin"));
                plugin(dirPlugin.resolve("main.jar"), "indir", "from_dir");

                watching.deliverOverflow(plugins);

                await(() -> registry.tool("from_burst").isPresent() && registry.tool("from_dir").isPresent(),
                        "both plugins loaded by the rescan");
                assertTrue(watching.registered().contains(dirPlugin.toAbsolutePath().normalize()),
                        "the new plugin directory is watched from now on: " + watching.registered());
            }
        }
    }

    @Test
    void overflowRescanUnloadsAJarRemovedUnreported() throws Exception {
        plugin(plugins.resolve("gone.jar"), "gone", "soon_gone");
        try (PluginLoader loader = loader()) {
            assertEquals(PluginStatus.LOADED, loader.loadAll().getFirst().status());
            try (PluginWatcher ignored = PluginWatcher.start(loader, Duration.ofMillis(50), watching)) {
                Files.delete(plugins.resolve("gone.jar"));

                watching.deliverOverflow(plugins);

                await(() -> registry.tool("soon_gone").isEmpty(), "the removed JAR's tool unregistered");
                assertTrue(loader.plugin("gone").isEmpty(), "plugin unloaded");
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A watch service that reports only what the test scripts. */
    private static final class ScriptedWatching implements PluginWatcher.Watching {
        private final Map<Path, ScriptedKey> keys = new ConcurrentHashMap<>();
        private final LinkedBlockingQueue<WatchKey> signalled = new LinkedBlockingQueue<>();
        private volatile boolean closed;

        void deliverOverflow(Path directory) {
            ScriptedKey key = keys.get(directory.toAbsolutePath().normalize());
            if (key == null) {
                throw new AssertionError(directory + " is not watched: " + keys.keySet());
            }
            key.events.add(new Overflow());
            signalled.add(key);
        }

        List<Path> registered() {
            return new ArrayList<>(keys.keySet());
        }

        @Override
        public WatchService newService(Path dir) {
            return new WatchService() {
                @Override
                public void close() {
                    closed = true;
                }

                @Override
                public WatchKey poll() {
                    check();
                    return signalled.poll();
                }

                @Override
                public WatchKey poll(long timeout, TimeUnit unit) throws InterruptedException {
                    long until = System.nanoTime() + unit.toNanos(timeout);
                    WatchKey key = null;
                    while (key == null && System.nanoTime() < until) {
                        check();
                        key = signalled.poll(Math.min(50_000_000, Math.max(1, until - System.nanoTime())),
                                TimeUnit.NANOSECONDS);
                    }
                    return key;
                }

                @Override
                public WatchKey take() throws InterruptedException {
                    while (true) {
                        check();
                        WatchKey key = signalled.poll(50, TimeUnit.MILLISECONDS);
                        if (key != null) {
                            return key;
                        }
                    }
                }

                private void check() {
                    if (closed) {
                        throw new ClosedWatchServiceException();
                    }
                }
            };
        }

        @Override
        public WatchKey register(WatchService service, Path directory) {
            ScriptedKey key = new ScriptedKey(directory);
            keys.put(directory.toAbsolutePath().normalize(), key);
            return key;
        }
    }

    private static final class ScriptedKey implements WatchKey {
        private final Path directory;
        private final LinkedBlockingQueue<WatchEvent<?>> events = new LinkedBlockingQueue<>();
        private volatile boolean valid = true;

        ScriptedKey(Path directory) {
            this.directory = directory;
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public List<WatchEvent<?>> pollEvents() {
            List<WatchEvent<?>> out = new ArrayList<>();
            events.drainTo(out);
            return out;
        }

        @Override
        public boolean reset() {
            return valid;
        }

        @Override
        public void cancel() {
            valid = false;
        }

        @Override
        public Watchable watchable() {
            return directory;
        }
    }

    private static final class Overflow implements WatchEvent<Object> {
        @Override
        public Kind<Object> kind() {
            return StandardWatchEventKinds.OVERFLOW;
        }

        @Override
        public int count() {
            return 1;
        }

        @Override
        public Object context() {
            return null;
        }
    }
}
