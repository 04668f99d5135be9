package io.mcpserver.server.plugins;

import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The plugins of one server and their registry swaps: loads every source of the plugins directory
 * ({@link PluginSources}, {@link PluginClassLoaders}), runs each plugin's checks and {@code init}
 * ({@link PluginLifecycle}), and puts its contributions into the {@link FeatureRegistry}. A plugin that fails
 * for any reason is skipped with one log line naming its file and the reason, counted, and listed by
 * {@link #failures()}.
 *
 * <p>At runtime ({@link PluginWatcher}) a source can be {@linkplain #reload reloaded} (replaced in one registry
 * swap, or not at all) or {@linkplain #unloadSource unloaded}. An unloaded plugin leaves the registry at once; it
 * is closed, and its class loader with it, only after the calls into it that were running have finished.
 */
public final class PluginLoader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PluginLoader.class.getName());
    /** How long an unloaded plugin's running calls may take before it is closed anyway. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(5);
    /** At shutdown requests had their grace period already; plugins get only this much more. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final Path pluginsDir;
    private final FeatureRegistry registry;
    private final PluginClassLoaders classLoaders = new PluginClassLoaders();
    private final PluginLifecycle lifecycle;
    private final Map<String, LoadedPlugin> loaded = new ConcurrentHashMap<>();
    private final List<PluginSummary> summaries = new ArrayList<>();
    /** The last outcome of each source (by normalized path), for {@link #failures()}. */
    private final Map<Path, List<PluginSummary>> outcomes = new LinkedHashMap<>();
    /** Serializes loading, replacing and unloading (startup, the watcher, test kits, contributionsChanged). */
    private final ReentrantLock changes = new ReentrantLock();
    private final AtomicLong failureCount = new AtomicLong();
    private volatile Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private volatile Runnable onFailure = () -> { };

    /**
     * @param configs         a plugin's {@code plugins.<name>} section by name, read when the plugin is (re)loaded
     * @param resourceUpdated where plugins' resource-updated events go
     */
    public PluginLoader(Path pluginsDir, Path dataDir, Function<String, PluginConfig> configs,
                        FeatureRegistry registry, Consumer<String> resourceUpdated) {
        this.pluginsDir = pluginsDir;
        this.registry = registry;
        this.lifecycle = new PluginLifecycle(dataDir, configs, resourceUpdated, this::failed);
    }

    /**
     * How long unloading waits for a plugin's running calls before it closes the plugin anyway (the
     * server uses {@code protocol.tool-timeout}: by then every tool call has been cancelled).
     */
    public PluginLoader drainTimeout(Duration timeout) {
        this.drainTimeout = timeout;
        return this;
    }

    /** Called once for every plugin (or source) that fails to load, at startup or on reload: the metric. */
    public PluginLoader onFailure(Runnable listener) {
        this.onFailure = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public Path pluginsDir() {
        return pluginsDir;
    }

    /** Loads everything in the plugins directory, in file-name order. A missing directory means no plugins. */
    public List<PluginSummary> loadAll() {
        if (!Files.isDirectory(pluginsDir)) {
            LOG.log(System.Logger.Level.WARNING, "Plugins directory " + pluginsDir + " does not exist; no plugins loaded");
            return List.of();
        }
        List<Path> sources;
        try {
            sources = PluginSources.list(pluginsDir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "Cannot list plugins directory " + pluginsDir + ": " + e);
            return List.of();
        }
        List<PluginSummary> result = new ArrayList<>();
        for (Path source : sources) {
            result.addAll(load(source));
        }
        synchronized (summaries) {
            summaries.addAll(result);
        }
        return result;
    }

    public Collection<LoadedPlugin> loaded() {
        return List.copyOf(loaded.values());
    }

    public Optional<LoadedPlugin> plugin(String name) {
        return Optional.ofNullable(loaded.get(name));
    }

    public List<PluginSummary> summaries() {
        synchronized (summaries) {
            return List.copyOf(summaries);
        }
    }

    /**
     * Plugins whose latest load (at startup or on reload) failed, for {@code /ready}: a source that loads again,
     * or is removed, leaves the list.
     */
    public List<PluginSummary> failures() {
        synchronized (outcomes) {
            return outcomes.values().stream().flatMap(List::stream).filter(s -> s.status() == PluginStatus.FAILED)
                    .toList();
        }
    }

    /**
     * Every plugin as it is now, by name: those loaded (with their current contributions), and those whose latest
     * load from the plugins directory was disabled or failed. For the admin API.
     */
    public List<PluginSummary> current() {
        Map<String, PluginSummary> byName = new java.util.TreeMap<>();
        synchronized (outcomes) {
            outcomes.values().stream().flatMap(List::stream).filter(s -> s.status() != PluginStatus.LOADED)
                    .forEach(s -> byName.put(s.name(), s));
        }
        for (LoadedPlugin p : loaded.values()) {
            Contributions c = p.contributions();
            byName.put(p.name(), new PluginSummary(p.name(), PluginLifecycle.safeVersion(p.plugin()),
                    PluginLifecycle.safeDescription(p.plugin()), p.source(), PluginStatus.LOADED, null,
                    c.tools().stream().map(t -> t.descriptor().name()).toList(),
                    java.util.stream.Stream.concat(c.resources().stream().map(r -> r.descriptor().uri()),
                            c.templates().stream().map(t -> t.descriptor().uriTemplate())).toList(),
                    c.prompts().stream().map(pr -> pr.descriptor().name()).toList()));
        }
        return List.copyOf(byName.values());
    }

    /**
     * Where the plugin of this name was loaded from (or last failed to load from): a JAR or directory in the
     * plugins directory; empty for an unknown name or a plugin registered in-process, which cannot be reloaded.
     */
    public Optional<Path> sourceOf(String name) {
        LoadedPlugin plugin = loaded.get(name);
        Path source = plugin != null ? plugin.source() : null;
        if (source == null) {
            synchronized (outcomes) {
                source = outcomes.values().stream().flatMap(List::stream).filter(s -> s.name().equals(name))
                        .map(PluginSummary::source).findFirst().orElse(null);
            }
        }
        Path dir = pluginsDir.toAbsolutePath().normalize();
        return Optional.ofNullable(source).map(s -> s.toAbsolutePath().normalize())
                .filter(s -> s.startsWith(dir) && !s.equals(dir));
    }

    /** Plugins skipped because they failed to load, at startup or on reload, since this loader was made. */
    public long loadFailures() {
        return failureCount.get();
    }

    /** Loads the plugins of one JAR or directory; returns what happened to each. Never throws. */
    public List<PluginSummary> load(Path source) {
        changes.lock();
        try {
            return remember(source, loadLocked(source));
        } finally {
            changes.unlock();
        }
    }

    private List<PluginSummary> loadLocked(Path source) {
        PluginClassLoaders.Opened opened;
        try {
            opened = classLoaders.open(source);
        } catch (PluginException e) {
            return List.of(failed(source, null, e.getMessage()));
        }
        List<PluginSummary> results = new ArrayList<>();
        for (McpPlugin plugin : opened.providers()) {
            results.add(start(plugin, source, opened.loader()));
        }
        if (results.stream().noneMatch(r -> r.status() == PluginStatus.LOADED)) {
            PluginClassLoaders.close(opened.loader());
        }
        return results;
    }

    /**
     * Registers a plugin instance made by the caller, as if it had been found in a JAR: same checks
     * (name, duplicates, configuration, {@code enabled}), same {@code init}, same log lines. For the test kit
     * and for embedding the server; the instance keeps the class loader it came from, which is never closed.
     */
    public PluginSummary register(McpPlugin plugin) {
        Objects.requireNonNull(plugin, "plugin");
        Path source = codeSource(plugin.getClass());
        changes.lock();
        try {
            PluginSummary summary = start(plugin, source, plugin.getClass().getClassLoader());
            synchronized (summaries) {
                summaries.add(summary);
            }
            return summary;
        } finally {
            changes.unlock();
        }
    }

    /**
     * Loads the named plugin classes through a new plugin class loader over these class path entries
     * (JARs or class directories), as the distribution loads a plugin directory: the same parent (the JDK
     * and the SPI, nothing of the server), the same checks, {@code init} and log lines. For the test kit,
     * which isolates the plugin under test this way; the class loader is closed when its plugins unload.
     * Never throws.
     */
    public List<PluginSummary> loadClasses(List<Path> classPath, List<String> classNames) {
        java.net.URL[] urls = new java.net.URL[classPath.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = classPath.get(i).toUri().toURL();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("not a class path entry: " + classPath.get(i), e);
            }
        }
        changes.lock();
        try {
            PluginClassLoader loader = classLoaders.newLoader("classpath", urls);
            List<PluginSummary> results = new ArrayList<>();
            for (String className : classNames) {
                Path source = Path.of(className);
                McpPlugin plugin;
                try {
                    Class<?> type = Class.forName(className, true, loader);
                    source = codeSource(type);
                    plugin = type.asSubclass(McpPlugin.class).getConstructor().newInstance();
                } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                    Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite
                            && ite.getCause() != null ? ite.getCause() : e;
                    results.add(failed(source, null, "cannot instantiate " + className + ": "
                            + PluginLifecycle.describe(cause)));
                    continue;
                }
                results.add(start(plugin, source, loader));
            }
            if (results.stream().noneMatch(r -> r.status() == PluginStatus.LOADED)) {
                PluginClassLoaders.close(loader);
            }
            synchronized (summaries) {
                summaries.addAll(results);
            }
            return results;
        } finally {
            changes.unlock();
        }
    }

    /**
     * Loads a JAR or directory that was added or changed while running, with the plugin's configuration as it
     * is now. If plugins were loaded from it, they are replaced in one step; should the new version fail in any
     * way, they stay as they were. Never throws.
     */
    public List<PluginSummary> reload(Path source) {
        changes.lock();
        try {
            List<LoadedPlugin> current = loadedFrom(source);
            return remember(source, current.isEmpty() ? loadLocked(source) : replaceLocked(source, current));
        } finally {
            changes.unlock();
        }
    }

    /**
     * Unloads every plugin loaded from {@code source} (a JAR or directory that was removed). Their
     * contributions leave the registry now; each is closed, with its class loader, once its running
     * calls have finished, without holding up the caller. Returns the names unloaded.
     */
    public List<String> unloadSource(Path source) {
        changes.lock();
        List<LoadedPlugin> removed;
        try {
            remember(source, List.of());
            removed = loadedFrom(source);
            if (removed.isEmpty()) {
                return List.of();
            }
            registry.replace(removed.stream().map(LoadedPlugin::name).toList(), List.of());
            removed.forEach(p -> loaded.remove(p.name(), p));
        } finally {
            changes.unlock();
        }
        removed.forEach(p -> LOG.log(System.Logger.Level.INFO, "Unloading plugin " + p.name() + " (" + source
                + " was removed)"));
        retireLater(removed);
        return removed.stream().map(LoadedPlugin::name).toList();
    }

    /** Plugins loaded from this JAR or directory. */
    public List<LoadedPlugin> loadedFrom(Path source) {
        Path key = source.toAbsolutePath().normalize();
        return loaded.values().stream().filter(p -> p.source().toAbsolutePath().normalize().equals(key))
                .sorted(Comparator.comparing(LoadedPlugin::name)).toList();
    }

    private List<PluginSummary> replaceLocked(Path source, List<LoadedPlugin> current) {
        Set<String> oldNames = new TreeSet<>(current.stream().map(LoadedPlugin::name).toList());
        String keeping = "; keeping the loaded " + String.join(", ", oldNames);
        PluginClassLoaders.Opened opened;
        try {
            opened = classLoaders.open(source);
        } catch (PluginException e) {
            return List.of(failed(source, null, e.getMessage() + keeping));
        }
        LOG.log(System.Logger.Level.INFO, "Reloading " + source + " (replacing " + String.join(", ", oldNames) + ")");
        List<PluginSummary> results = new ArrayList<>();
        List<PluginLifecycle.Prepared> prepared = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (McpPlugin plugin : opened.providers()) {
            PluginLifecycle.Attempt attempt = lifecycle.prepare(plugin, source, opened.loader(),
                    name -> loaded.containsKey(name) && !oldNames.contains(name), taken, this::holder, this::refresh);
            results.add(attempt.summary());
            if (attempt.prepared() != null) {
                prepared.add(attempt.prepared());
            }
        }
        if (results.stream().anyMatch(r -> r.status() == PluginStatus.FAILED)) {
            abandon(prepared, opened.loader());
            LOG.log(System.Logger.Level.WARNING, "Not reloading " + source + keeping);
            return results;
        }
        try {
            registry.replace(oldNames, prepared.stream().map(p -> p.plugin().contributions()).toList());
        } catch (IllegalArgumentException e) {
            abandon(prepared, opened.loader());
            String name = prepared.size() == 1 ? prepared.getFirst().plugin().name() : null;
            return List.of(failed(source, name, e.getMessage() + keeping));
        }
        current.forEach(p -> loaded.remove(p.name(), p));
        for (PluginLifecycle.Prepared p : prepared) {
            loaded.put(p.plugin().name(), p.plugin());
            String before = current.stream().filter(c -> c.name().equals(p.plugin().name())).findFirst()
                    .map(c -> PluginLifecycle.safeVersion(c.plugin())).orElse(null);
            LOG.log(System.Logger.Level.INFO, (before == null ? "Loaded plugin " : "Replaced plugin ")
                    + p.plugin().name() + (before == null ? " " : " " + before + " with ") + p.summary().version()
                    + " from " + source);
            PluginLifecycle.logContributions(p.plugin().contributions());
        }
        current.stream().filter(c -> prepared.stream().noneMatch(p -> p.plugin().name().equals(c.name())))
                .forEach(c -> LOG.log(System.Logger.Level.INFO, "Unloading plugin " + c.name() + " (no longer in "
                        + source + ")"));
        if (prepared.isEmpty()) {
            PluginClassLoaders.close(opened.loader());
        }
        retireLater(current);
        return results;
    }

    /** Closes plugins that were prepared for a reload that did not happen, and their class loader. */
    private static void abandon(List<PluginLifecycle.Prepared> prepared, PluginClassLoader loader) {
        prepared.forEach(p -> {
            p.plugin().contributions().owner().retire();
            PluginLifecycle.close(p.plugin().plugin(), p.plugin().name());
        });
        PluginClassLoaders.close(loader);
    }

    private PluginSummary start(McpPlugin plugin, Path source, ClassLoader loader) {
        PluginLifecycle.Attempt attempt = lifecycle.prepare(plugin, source, loader, loaded::containsKey,
                new HashSet<>(), this::holder, this::refresh);
        PluginLifecycle.Prepared p = attempt.prepared();
        if (p == null) {
            return attempt.summary();
        }
        try {
            registry.register(p.plugin().contributions());
        } catch (IllegalArgumentException e) {
            p.plugin().contributions().owner().retire();
            PluginLifecycle.close(plugin, p.plugin().name());
            return failed(source, p.plugin().name(), PluginLifecycle.describe(e));
        }
        loaded.put(p.plugin().name(), p.plugin());
        PluginLifecycle.logContributions(p.plugin().contributions());
        return p.summary();
    }

    /** Where the plugin holding {@code name} came from, or null. */
    private Path holder(String name) {
        LoadedPlugin other = loaded.get(name);
        return other == null ? null : other.source();
    }

    /** Re-reads a plugin's contributions after it called {@code contributionsChanged()}. */
    private void refresh(Owner owner) {
        String name = owner.pluginName();
        changes.lock();
        try {
            LoadedPlugin plugin = loaded.get(name);
            if (plugin == null || plugin.contributions().owner() != owner) {
                return; // not loaded (yet), or an instance that was replaced
            }
            Contributions next = PluginLifecycle.collect(plugin.plugin(), owner);
            registry.register(next);
            loaded.put(name, new LoadedPlugin(plugin.plugin(), plugin.source(), plugin.classLoader(), next));
            LOG.log(System.Logger.Level.INFO, "Plugin " + name + " changed its contributions: "
                    + PluginLifecycle.summary(next));
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Plugin " + name + " changed its contributions, but they were refused: "
                    + PluginLifecycle.describe(e) + "; keeping the previous ones");
        } finally {
            changes.unlock();
        }
    }

    /**
     * Removes a plugin: its contributions leave the registry, then, once the calls into it that were
     * running have finished (up to the drain timeout), it is closed with its class loader. Blocks until then.
     */
    public boolean unload(String name) {
        LoadedPlugin plugin;
        changes.lock();
        try {
            plugin = loaded.remove(name);
            if (plugin == null) {
                return false;
            }
            registry.unregister(name);
        } finally {
            changes.unlock();
        }
        PluginLifecycle.retire(List.of(plugin), drainTimeout, this::inUse);
        return true;
    }

    /** Unloads every plugin; running calls get a few seconds (requests had their shutdown grace already). */
    @Override
    public void close() {
        List<LoadedPlugin> all;
        changes.lock();
        try {
            all = List.copyOf(loaded.values());
            registry.replace(all.stream().map(LoadedPlugin::name).toList(), List.of());
            all.forEach(p -> loaded.remove(p.name(), p));
        } finally {
            changes.unlock();
        }
        PluginLifecycle.retire(all, CLOSE_WAIT, this::inUse);
    }

    private void retireLater(List<LoadedPlugin> plugins) {
        if (plugins.isEmpty()) {
            return;
        }
        plugins.forEach(p -> p.contributions().owner().retire());
        Thread.ofVirtual().name("mcp-plugin-unload-" + plugins.getFirst().name())
                .start(() -> PluginLifecycle.retire(plugins, drainTimeout, this::inUse));
    }

    /** Whether a loaded plugin still uses this class loader. */
    private boolean inUse(ClassLoader loader) {
        return loaded.values().stream().anyMatch(p -> p.classLoader() == loader);
    }

    private List<PluginSummary> remember(Path source, List<PluginSummary> results) {
        synchronized (outcomes) {
            Path key = source.toAbsolutePath().normalize();
            if (results.isEmpty()) {
                outcomes.remove(key);
            } else {
                outcomes.put(key, List.copyOf(results));
            }
        }
        return results;
    }

    private PluginSummary failed(Path source, String name, String reason) {
        failureCount.incrementAndGet();
        try {
            onFailure.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "plugin failure listener: " + e);
        }
        LOG.log(System.Logger.Level.WARNING, "Skipping plugin " + (name == null ? "" : name + " ") + "from " + source
                + ": " + reason);
        return new PluginSummary(name == null ? source.getFileName().toString() : name, null, null, source,
                PluginStatus.FAILED, reason, List.of(), List.of(), List.of());
    }

    /** Where a class was loaded from (a JAR or classes directory), to name an in-process plugin's source. */
    private static Path codeSource(Class<?> type) {
        try {
            var location = type.getProtectionDomain().getCodeSource();
            if (location != null && location.getLocation() != null) {
                return Path.of(location.getLocation().toURI());
            }
        } catch (SecurityException | IllegalArgumentException | java.net.URISyntaxException
                 | java.nio.file.FileSystemNotFoundException e) {
            // fall through: name it after the class
        }
        return Path.of(type.getName());
    }
}
