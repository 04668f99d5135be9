package io.mcpserver.server.plugins;

import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.tools.AnnotatedObjects;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.tools.Tool;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads plugins from the plugins directory: each {@code *.jar}, and each subdirectory of JARs, gets a
 * class loader of its own; providers of {@link McpPlugin} are found with {@link ServiceLoader}. A plugin
 * that fails for any reason is skipped with one log line naming its file and the reason.
 *
 * <p>At runtime ({@link PluginWatcher}) a source can be {@linkplain #reload reloaded} or
 * {@linkplain #unloadSource unloaded}. An unloaded plugin leaves the registry at once; it is closed, and
 * its class loader with it, only after the calls into it that were running have finished.
 */
public final class PluginLoader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PluginLoader.class.getName());
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    static final Attributes.Name SPI_VERSION = new Attributes.Name("Mcp-Spi-Version");
    /** How long an unloaded plugin's running calls may take before it is closed anyway. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(5);
    /** At shutdown requests had their grace period already; plugins get only this much more. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final Path pluginsDir;
    private final Path dataDir;
    private final Function<String, PluginConfig> configs;
    private final FeatureRegistry registry;
    private final Consumer<String> resourceUpdated;
    private final SpiOnlyClassLoader spiParent = new SpiOnlyClassLoader(McpPlugin.class.getClassLoader());
    private final Map<String, LoadedPlugin> loaded = new ConcurrentHashMap<>();
    private final List<PluginSummary> summaries = new ArrayList<>();
    /** Serializes loading, replacing and unloading (startup, the watcher, test kits, contributionsChanged). */
    private final ReentrantLock changes = new ReentrantLock();
    private volatile Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param configs         a plugin's {@code plugins.<name>} section by name
     * @param resourceUpdated where plugins' resource-updated events go
     */
    public PluginLoader(Path pluginsDir, Path dataDir, Function<String, PluginConfig> configs,
                        FeatureRegistry registry, Consumer<String> resourceUpdated) {
        this.pluginsDir = pluginsDir;
        this.dataDir = dataDir;
        this.configs = configs;
        this.registry = registry;
        this.resourceUpdated = resourceUpdated;
    }

    /**
     * How long unloading waits for a plugin's running calls before it closes the plugin anyway (the
     * server uses {@code protocol.tool-timeout}: by then every tool call has been cancelled).
     */
    public PluginLoader drainTimeout(Duration timeout) {
        this.drainTimeout = timeout;
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
        try (Stream<Path> files = Files.list(pluginsDir)) {
            // names starting with '.' are a deploy's temporary files (see PluginWatcher)
            sources = files.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar"))
                    .sorted().toList();
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

    /** Loads the plugins of one JAR or directory; returns what happened to each. Never throws. */
    public List<PluginSummary> load(Path source) {
        changes.lock();
        try {
            return loadLocked(source);
        } finally {
            changes.unlock();
        }
    }

    private List<PluginSummary> loadLocked(Path source) {
        URL[] jars;
        try {
            jars = jarsOf(source);
            checkSpiVersion(source, jars);
        } catch (PluginException e) {
            return List.of(failed(source, null, e.getMessage()));
        }
        PluginClassLoader loader = new PluginClassLoader(source.getFileName().toString(), jars, spiParent);
        List<McpPlugin> providers;
        try {
            providers = providers(jars, loader);
        } catch (PluginException e) {
            closeQuietly(loader);
            return List.of(failed(source, null, e.getMessage()));
        }
        List<PluginSummary> results = new ArrayList<>();
        for (McpPlugin plugin : providers) {
            results.add(start(plugin, source, loader));
        }
        if (results.stream().noneMatch(r -> r.status().equals("loaded"))) {
            closeQuietly(loader);
        }
        return results;
    }

    /** Instantiates every provider of {@link McpPlugin} the JARs list; at least one must exist. */
    private static List<McpPlugin> providers(URL[] jars, ClassLoader loader) throws PluginException {
        List<McpPlugin> providers = new ArrayList<>();
        try {
            ServiceLoader.load(McpPlugin.class, loader).stream().forEach(p -> providers.add(p.get()));
        } catch (ServiceConfigurationError | LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PluginException("cannot instantiate its plugin: " + describe(cause));
        }
        if (providers.isEmpty()) {
            throw new PluginException("no provider of io.mcpserver.spi.McpPlugin in META-INF/services (searched "
                    + List.of(jars) + ")");
        }
        return providers;
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

    /**
     * Registers a plugin instance made by the caller, as if it had been found in a JAR: same checks
     * (name, duplicates, {@code enabled}), same {@code init}, same log lines. For the test kit and for
     * embedding the server; the instance keeps the class loader it came from, which is never closed.
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
        URL[] urls = new URL[classPath.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = classPath.get(i).toUri().toURL();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("not a class path entry: " + classPath.get(i), e);
            }
        }
        changes.lock();
        try {
            PluginClassLoader loader = new PluginClassLoader("classpath", urls, spiParent);
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
                    results.add(failed(source, null, "cannot instantiate " + className + ": " + describe(cause)));
                    continue;
                }
                results.add(start(plugin, source, loader));
            }
            if (results.stream().noneMatch(r -> r.status().equals("loaded"))) {
                closeQuietly(loader);
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
     * Loads a JAR or directory that was added or changed while running. If plugins were loaded from
     * it, they are replaced in one step; should the new version fail in any way, they stay as they were.
     * Never throws.
     */
    public List<PluginSummary> reload(Path source) {
        changes.lock();
        try {
            List<LoadedPlugin> current = loadedFrom(source);
            return current.isEmpty() ? loadLocked(source) : replaceLocked(source, current);
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
                .sorted(java.util.Comparator.comparing(LoadedPlugin::name)).toList();
    }

    private List<PluginSummary> replaceLocked(Path source, List<LoadedPlugin> current) {
        Set<String> oldNames = new java.util.TreeSet<>(current.stream().map(LoadedPlugin::name).toList());
        String keeping = "; keeping the loaded " + String.join(", ", oldNames);
        URL[] jars;
        try {
            jars = jarsOf(source);
            checkSpiVersion(source, jars);
        } catch (PluginException e) {
            return List.of(failed(source, null, e.getMessage() + keeping));
        }
        LOG.log(System.Logger.Level.INFO, "Reloading " + source + " (replacing " + String.join(", ", oldNames) + ")");
        PluginClassLoader loader = new PluginClassLoader(source.getFileName().toString(), jars, spiParent);
        List<McpPlugin> providers;
        try {
            providers = providers(jars, loader);
        } catch (PluginException e) {
            closeQuietly(loader);
            return List.of(failed(source, null, e.getMessage() + keeping));
        }
        List<PluginSummary> results = new ArrayList<>();
        List<Prepared> prepared = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (McpPlugin plugin : providers) {
            Attempt attempt = prepare(plugin, source, loader, oldNames, taken);
            results.add(attempt.summary());
            if (attempt.prepared() != null) {
                prepared.add(attempt.prepared());
            }
        }
        if (results.stream().anyMatch(r -> r.status().equals("failed"))) {
            abandon(prepared, loader);
            LOG.log(System.Logger.Level.WARNING, "Not reloading " + source + keeping);
            return results;
        }
        try {
            registry.replace(oldNames, prepared.stream().map(p -> p.plugin().contributions()).toList());
        } catch (IllegalArgumentException e) {
            abandon(prepared, loader);
            String name = prepared.size() == 1 ? prepared.getFirst().plugin().name() : null;
            return List.of(failed(source, name, e.getMessage() + keeping));
        }
        current.forEach(p -> loaded.remove(p.name(), p));
        for (Prepared p : prepared) {
            loaded.put(p.plugin().name(), p.plugin());
            String before = current.stream().filter(c -> c.name().equals(p.plugin().name())).findFirst()
                    .map(c -> safeVersion(c.plugin())).orElse(null);
            LOG.log(System.Logger.Level.INFO, (before == null ? "Loaded plugin " : "Replaced plugin ")
                    + p.plugin().name() + (before == null ? " " : " " + before + " with ") + p.summary().version()
                    + " from " + source);
            logContributions(p.plugin().contributions());
        }
        current.stream().filter(c -> prepared.stream().noneMatch(p -> p.plugin().name().equals(c.name())))
                .forEach(c -> LOG.log(System.Logger.Level.INFO, "Unloading plugin " + c.name() + " (no longer in "
                        + source + ")"));
        if (prepared.isEmpty()) {
            closeQuietly(loader);
        }
        retireLater(current);
        return results;
    }

    /** Closes plugins that were prepared for a reload that did not happen, and their class loader. */
    private static void abandon(List<Prepared> prepared, PluginClassLoader loader) {
        prepared.forEach(p -> {
            p.plugin().contributions().owner().retire();
            closePlugin(p.plugin().plugin(), p.plugin().name());
        });
        closeQuietly(loader);
    }

    /** A plugin that passed every check and {@code init}, with its contributions, not yet registered. */
    private record Prepared(LoadedPlugin plugin, PluginSummary summary) {
    }

    /** What became of one provider: a prepared plugin, or a summary saying why not (disabled, failed). */
    private record Attempt(Prepared prepared, PluginSummary summary) {
    }

    private PluginSummary start(McpPlugin plugin, Path source, ClassLoader loader) {
        Attempt attempt = prepare(plugin, source, loader, Set.of(), new HashSet<>());
        Prepared p = attempt.prepared();
        if (p == null) {
            return attempt.summary();
        }
        try {
            registry.register(p.plugin().contributions());
        } catch (IllegalArgumentException e) {
            p.plugin().contributions().owner().retire();
            closePlugin(plugin, p.plugin().name());
            return failed(source, p.plugin().name(), describe(e));
        }
        loaded.put(p.plugin().name(), p.plugin());
        logContributions(p.plugin().contributions());
        return p.summary();
    }

    /**
     * Checks a provider and runs its {@code init}; nothing is registered yet.
     *
     * @param replacing names that may be taken because the plugins holding them are being replaced
     * @param taken     names prepared in this batch so far; the provider's is added
     */
    private Attempt prepare(McpPlugin plugin, Path source, ClassLoader loader, Set<String> replacing,
                            Set<String> taken) {
        String name;
        try {
            name = plugin.name();
        } catch (RuntimeException | LinkageError e) {
            return new Attempt(null, failed(source, null, "name() failed: " + describe(e)));
        }
        if (name == null || !NAME.matcher(name).matches()) {
            return new Attempt(null, failed(source, name, "invalid plugin name '" + name
                    + "' (lower-case letters, digits and '-')"));
        }
        if ((loaded.containsKey(name) && !replacing.contains(name)) || !taken.add(name)) {
            LoadedPlugin other = loaded.get(name);
            return new Attempt(null, failed(source, name, "duplicate plugin name '" + name + "' (already loaded from "
                    + (other == null ? source : other.source()) + ")"));
        }
        PluginConfig config = configs.apply(name);
        boolean enabled;
        try {
            enabled = config.bool("enabled", plugin.enabledByDefault());
        } catch (IllegalArgumentException e) {
            return new Attempt(null, failed(source, name, "plugins." + name + "." + e.getMessage()));
        }
        String version = safeVersion(plugin);
        if (!enabled) {
            LOG.log(System.Logger.Level.INFO, "Plugin " + name + " " + version + " from " + source
                    + " is disabled (set plugins." + name + ".enabled: true to turn it on)");
            return new Attempt(null, new PluginSummary(name, version, safeDescription(plugin), source, "disabled",
                    "disabled in configuration", List.of(), List.of(), List.of()));
        }
        LOG.log(System.Logger.Level.INFO, "Loading plugin " + name + " " + version + " from " + source);
        Owner owner = new Owner(name, loader);
        Contributions contributions;
        try {
            PluginContextImpl context = new PluginContextImpl(name, config, dataDir.resolve(name), resourceUpdated,
                    () -> refresh(name, owner));
            owner.call(() -> {
                plugin.init(context);
                return null;
            });
            contributions = collect(plugin, owner);
        } catch (Exception | LinkageError e) {
            owner.retire();
            closePlugin(plugin, name);
            return new Attempt(null, failed(source, name, describe(e)));
        }
        PluginSummary summary = new PluginSummary(name, version, safeDescription(plugin), source, "loaded", null,
                contributions.tools().stream().map(t -> t.descriptor().name()).toList(),
                Stream.concat(contributions.resources().stream().map(r -> r.descriptor().uri()),
                        contributions.templates().stream().map(t -> t.descriptor().uriTemplate())).toList(),
                contributions.prompts().stream().map(p -> p.descriptor().name()).toList());
        return new Attempt(new Prepared(new LoadedPlugin(plugin, source, loader, contributions), summary), summary);
    }

    /** Re-reads a plugin's contributions after it called {@code contributionsChanged()}. */
    private void refresh(String name, Owner owner) {
        changes.lock();
        try {
            LoadedPlugin plugin = loaded.get(name);
            if (plugin == null || plugin.contributions().owner() != owner) {
                return; // not loaded (yet), or an instance that was replaced
            }
            Contributions next = collect(plugin.plugin(), owner);
            registry.register(next);
            loaded.put(name, new LoadedPlugin(plugin.plugin(), plugin.source(), plugin.classLoader(), next));
            LOG.log(System.Logger.Level.INFO, "Plugin " + name + " changed its contributions: " + summary(next));
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Plugin " + name + " changed its contributions, but they were refused: "
                    + describe(e) + "; keeping the previous ones");
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
        retire(List.of(plugin), drainTimeout);
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
        retire(all, CLOSE_WAIT);
    }

    private void retireLater(List<LoadedPlugin> plugins) {
        if (plugins.isEmpty()) {
            return;
        }
        plugins.forEach(p -> p.contributions().owner().retire());
        Thread.ofVirtual().name("mcp-plugin-unload-" + plugins.getFirst().name())
                .start(() -> retire(plugins, drainTimeout));
    }

    /**
     * Closes plugins that already left the registry: refuses new calls, waits for running ones (all
     * within one deadline), closes each plugin, then each class loader no loaded plugin uses any more.
     */
    private void retire(List<LoadedPlugin> plugins, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        plugins.forEach(p -> p.contributions().owner().retire());
        for (LoadedPlugin p : plugins) {
            Owner owner = p.contributions().owner();
            try {
                if (!owner.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    LOG.log(System.Logger.Level.WARNING, "Plugin " + p.name() + " still has " + owner.inFlight()
                            + " running call(s) after " + wait.toSeconds() + " s; closing it anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closePlugin(p.plugin(), p.name());
            if (p.classLoader() instanceof PluginClassLoader l
                    && loaded.values().stream().noneMatch(other -> other.classLoader() == l)
                    && plugins.stream().filter(other -> other.classLoader() == l)
                    .allMatch(other -> other.contributions().owner().inFlight() == 0)) {
                closeQuietly(l);
            }
            LOG.log(System.Logger.Level.INFO, "Unloaded plugin " + p.name() + " (" + p.source() + ")");
        }
    }

    private static Contributions collect(McpPlugin plugin, Owner owner) throws Exception {
        return owner.call(() -> {
            List<Tool> tools = new ArrayList<>(nonNull(plugin.tools()));
            List<Resource> resources = new ArrayList<>(nonNull(plugin.resources()));
            List<ResourceTemplate> templates = new ArrayList<>(nonNull(plugin.resourceTemplates()));
            List<Prompt> prompts = new ArrayList<>(nonNull(plugin.prompts()));
            List<CompletionProvider> completions = new ArrayList<>(nonNull(plugin.completions()));
            for (Object annotated : nonNull(plugin.annotatedTools())) {
                AnnotatedObjects found = AnnotatedObjects.scan(annotated);
                tools.addAll(found.tools());
                resources.addAll(found.resources());
                templates.addAll(found.templates());
                prompts.addAll(found.prompts());
                completions.addAll(found.completions());
            }
            return new Contributions(owner, tools, resources, templates, prompts, completions);
        });
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list.stream().filter(Objects::nonNull).toList();
    }

    private static URL[] jarsOf(Path source) throws PluginException {
        List<Path> files;
        if (Files.isDirectory(source)) {
            try (Stream<Path> s = Files.list(source)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
            } catch (IOException e) {
                throw new PluginException("cannot list directory: " + e.getMessage());
            }
            if (files.isEmpty()) {
                throw new PluginException("directory holds no JAR files");
            }
        } else {
            files = List.of(source);
        }
        URL[] urls = new URL[files.size()];
        for (int i = 0; i < urls.length; i++) {
            Path f = files.get(i);
            try (JarFile jar = new JarFile(f.toFile())) {
                jar.getManifest(); // reads the central directory: a corrupt file fails here
            } catch (IOException e) {
                throw new PluginException(f.getFileName() + " is not a valid JAR file (" + e.getMessage() + ")");
            }
            try {
                urls[i] = f.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new PluginException("bad path " + f + ": " + e.getMessage());
            }
        }
        return urls;
    }

    /** A JAR may declare the SPI version it was built for; a different major version cannot work. */
    private static void checkSpiVersion(Path source, URL[] jars) throws PluginException {
        for (URL url : jars) {
            try (JarFile jar = new JarFile(Path.of(url.toURI()).toFile())) {
                var manifest = jar.getManifest();
                String declared = manifest == null ? null : manifest.getMainAttributes().getValue(SPI_VERSION);
                if (declared == null) {
                    continue;
                }
                int version;
                try {
                    version = Integer.parseInt(declared.trim());
                } catch (NumberFormatException e) {
                    throw new PluginException("manifest Mcp-Spi-Version '" + declared + "' is not a number");
                }
                if (version != McpPlugin.SPI_VERSION) {
                    throw new PluginException("built for SPI version " + version + ", this server provides SPI version "
                            + McpPlugin.SPI_VERSION);
                }
            } catch (IOException | java.net.URISyntaxException e) {
                throw new PluginException("cannot read " + url + ": " + e.getMessage());
            }
        }
    }

    /** Plugins skipped because they failed to load, at startup or on reload, since this loader was made. */
    public long loadFailures() {
        return failures.get();
    }

    private PluginSummary failed(Path source, String name, String reason) {
        failures.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "Skipping plugin " + (name == null ? "" : name + " ") + "from " + source
                + ": " + reason);
        return new PluginSummary(name == null ? source.getFileName().toString() : name, null, null, source,
                "failed", reason, List.of(), List.of(), List.of());
    }

    private static void logContributions(Contributions c) {
        String plugin = c.owner().pluginName();
        c.tools().forEach(t -> LOG.log(System.Logger.Level.INFO, "Registering tool " + t.descriptor().name()
                + " (" + plugin + ")"));
        c.resources().forEach(r -> LOG.log(System.Logger.Level.INFO, "Registering resource " + r.descriptor().uri()
                + " (" + plugin + ")"));
        c.templates().forEach(t -> LOG.log(System.Logger.Level.INFO, "Registering resource template "
                + t.descriptor().uriTemplate() + " (" + plugin + ")"));
        c.prompts().forEach(p -> LOG.log(System.Logger.Level.INFO, "Registering prompt " + p.descriptor().name()
                + " (" + plugin + ")"));
        c.completions().forEach(p -> LOG.log(System.Logger.Level.INFO, "Registering completions for "
                + p.ref().kind().name().toLowerCase(java.util.Locale.ROOT) + " " + p.ref().name() + " (" + plugin + ")"));
    }

    private static String summary(Contributions c) {
        return c.tools().size() + " tools, " + c.resources().size() + " resources, " + c.templates().size()
                + " templates, " + c.prompts().size() + " prompts";
    }

    private static void closePlugin(McpPlugin plugin, String name) {
        try {
            plugin.close();
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Plugin " + name + " failed to close: " + describe(e));
        }
    }

    private static void closeQuietly(java.net.URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + loader + ": " + e);
        }
    }

    private static String safeVersion(McpPlugin plugin) {
        try {
            return plugin.version();
        } catch (RuntimeException | LinkageError e) {
            return "unversioned";
        }
    }

    private static String safeDescription(McpPlugin plugin) {
        try {
            return plugin.description();
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
    }

    static String describe(Throwable e) {
        if (e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null) {
            e = e.getCause();
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static final class PluginException extends Exception {
        PluginException(String message) {
            super(message, null, false, false);
        }
    }
}
