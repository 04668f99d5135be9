package io.mcpserver.server.plugins;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runtime reload ({@code plugins.watch: true}): watches the plugins directory (and each plugin
 * directory in it) and, once a JAR or plugin directory has been quiet for the debounce period, has
 * the {@link PluginLoader} load, replace or unload it. Waiting for quiet means a JAR still being
 * copied is not read half-written. Names starting with a dot are ignored, so a deploy can copy to
 * {@code .x.jar.tmp} and rename to {@code x.jar}.
 *
 * <p>One thread does the watching and the loading, so changes are applied one at a time in the order
 * they settled; unloading never blocks it (running calls are waited for elsewhere).
 */
public final class PluginWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PluginWatcher.class.getName());

    private final PluginLoader loader;
    private final Path dir;
    private final Duration debounce;
    private final Watching watching;
    private final WatchService watcher;
    private final Map<WatchKey, Path> keys = new HashMap<>();
    /** Sources that changed, with when they last did (nanoTime). Only the watcher thread touches it. */
    private final Map<Path, Long> pending = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Where watch keys come from: the file system's watch service in production; a test supplies its own to
     * deliver events the platform only produces under load (OVERFLOW) at a moment of its choosing.
     */
    interface Watching {
        WatchService newService(Path dir) throws IOException;

        WatchKey register(WatchService service, Path directory) throws IOException;

        Watching FILE_SYSTEM = new Watching() {
            @Override
            public WatchService newService(Path dir) throws IOException {
                return dir.getFileSystem().newWatchService();
            }

            @Override
            public WatchKey register(WatchService service, Path directory) throws IOException {
                return directory.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
            }
        };
    }

    private PluginWatcher(PluginLoader loader, Duration debounce, Watching watching) throws IOException {
        this.loader = loader;
        this.dir = loader.pluginsDir().toAbsolutePath().normalize();
        this.debounce = debounce;
        this.watching = watching;
        this.watcher = watching.newService(dir);
        this.thread = new Thread(this::run, "mcp-plugin-watcher");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching {@code loader}'s plugins directory (created if missing). Sources that appeared
     * since the loader's {@code loadAll} are picked up at once.
     */
    public static PluginWatcher start(PluginLoader loader, Duration debounce) throws IOException {
        return start(loader, debounce, Watching.FILE_SYSTEM);
    }

    static PluginWatcher start(PluginLoader loader, Duration debounce, Watching watching) throws IOException {
        PluginWatcher w = new PluginWatcher(loader, debounce, watching);
        try {
            Files.createDirectories(w.dir);
            w.register(w.dir);
            Set<Path> known = loader.summaries().stream().map(s -> s.source().toAbsolutePath().normalize())
                    .collect(Collectors.toSet());
            for (Path source : w.sources()) {
                if (Files.isDirectory(source)) {
                    w.register(source);
                }
                if (!known.contains(source)) {
                    w.pending.put(source, System.nanoTime());
                }
            }
        } catch (IOException | RuntimeException e) {
            w.watcher.close();
            throw e;
        }
        w.thread.start();
        LOG.log(System.Logger.Level.INFO, "Watching " + w.dir + " for plugin changes (debounce "
                + debounce.toMillis() + " ms)");
        return w;
    }

    private void run() {
        while (!closed) {
            try {
                WatchKey key = pending.isEmpty() ? watcher.take()
                        : watcher.poll(Math.max(1, nextDue() - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (key != null) {
                    collect(key);
                }
                applySettled();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException | LinkageError e) {
                // one bad change must not end the watching
                LOG.log(System.Logger.Level.ERROR, "Plugin watcher: " + e, e);
            }
        }
    }

    /** Records which sources an event batch touched; keeps newly created plugin directories watched. */
    private void collect(WatchKey key) {
        Path watched = keys.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                LOG.log(System.Logger.Level.WARNING, "Plugin watcher missed events (too many at once); "
                        + "rescanning " + dir + ". A JAR replaced during the burst needs touching to be reloaded.");
                rescan();
                continue;
            }
            if (watched == null) {
                continue;
            }
            Path child = watched.resolve((Path) event.context());
            Path source = watched.equals(dir) ? child : watched; // a change inside a plugin directory
            if (watched.equals(dir) && event.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                // Renamed away or deleted: its key follows the old directory wherever it went, and must not
                // report that directory's later changes (its removal, say) as changes of this name.
                unwatch(child);
            }
            if (hidden(child) || hidden(source)) {
                continue;
            }
            if (watched.equals(dir) && event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                    && Files.isDirectory(child)) {
                unwatch(child);
                register(child);
            }
            if (isCandidate(source)) {
                pending.put(source, System.nanoTime());
            }
        }
        if (!key.reset()) {
            keys.remove(key);
            if (watched != null && watched.equals(dir)) {
                LOG.log(System.Logger.Level.WARNING, "Plugins directory " + dir + " is gone; runtime reload stops");
                closed = true;
            }
        }
    }

    /** A JAR, a plugin directory, or a path something was loaded from (now gone). */
    private boolean isCandidate(Path source) {
        return source.getFileName().toString().endsWith(".jar") || Files.isDirectory(source)
                || keys.containsValue(source) || !loader.loadedFrom(source).isEmpty();
    }

    private void rescan() {
        long now = System.nanoTime();
        for (Path source : sources()) {
            if (Files.isDirectory(source) && !keys.containsValue(source)) {
                register(source);
            }
            if (loader.loadedFrom(source).isEmpty()) {
                pending.put(source, now);
            }
        }
        for (LoadedPlugin p : loader.loaded()) {
            Path source = p.source().toAbsolutePath().normalize();
            if (source.startsWith(dir) && !Files.exists(source)) {
                pending.put(source, now);
            }
        }
    }

    /** Applies every change that has been quiet for the debounce period, removals first. */
    private void applySettled() {
        long now = System.nanoTime();
        List<Path> due = pending.entrySet().stream().filter(e -> now - e.getValue() >= debounce.toNanos())
                .map(Map.Entry::getKey).toList();
        due.forEach(pending::remove);
        due.stream().filter(s -> !Files.exists(s)).forEach(this::removed);
        due.stream().filter(Files::exists).forEach(this::changed);
    }

    /** Stops watching whatever directory was registered under {@code path}. */
    private void unwatch(Path path) {
        keys.entrySet().removeIf(e -> {
            if (e.getValue().equals(path)) {
                e.getKey().cancel();
                return true;
            }
            return false;
        });
    }

    private void removed(Path source) {
        unwatch(source);
        List<String> names = loader.unloadSource(source);
        if (!names.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, source.getFileName() + " removed: unloaded " + String.join(", ", names));
        }
    }

    private void changed(Path source) {
        if (!Files.isDirectory(source) && !source.getFileName().toString().endsWith(".jar")) {
            return;
        }
        List<PluginSummary> results = loader.reload(source);
        LOG.log(System.Logger.Level.INFO, source.getFileName() + " changed: " + results.stream()
                .map(s -> s.name() + " " + s.status()).collect(Collectors.joining(", ")));
    }

    private long nextDue() {
        return pending.values().stream().mapToLong(t -> t + debounce.toNanos()).min().orElse(System.nanoTime());
    }

    private List<Path> sources() {
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.toAbsolutePath().normalize()).filter(p -> !hidden(p))
                    .filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar"))
                    .sorted().toList();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot list " + dir + ": " + e);
            return List.of();
        }
    }

    private void register(Path directory) {
        try {
            keys.put(watching.register(watcher, directory), directory);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot watch " + directory + ": " + e);
        }
    }

    private static boolean hidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    @Override
    public void close() {
        closed = true;
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the plugin watcher: " + e);
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
