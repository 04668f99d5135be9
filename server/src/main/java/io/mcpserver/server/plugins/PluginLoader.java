package io.mcpserver.server.plugins;

import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.tools.AnnotatedTools;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.tools.Tool;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
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
 */
public final class PluginLoader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PluginLoader.class.getName());
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    static final Attributes.Name SPI_VERSION = new Attributes.Name("Mcp-Spi-Version");

    private final Path pluginsDir;
    private final Path dataDir;
    private final Function<String, PluginConfig> configs;
    private final FeatureRegistry registry;
    private final Consumer<String> resourceUpdated;
    private final SpiOnlyClassLoader spiParent = new SpiOnlyClassLoader(McpPlugin.class.getClassLoader());
    private final Map<String, LoadedPlugin> loaded = new ConcurrentHashMap<>();
    private final List<PluginSummary> summaries = new ArrayList<>();

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

    /** Loads everything in the plugins directory, in file-name order. A missing directory means no plugins. */
    public List<PluginSummary> loadAll() {
        if (!Files.isDirectory(pluginsDir)) {
            LOG.log(System.Logger.Level.WARNING, "Plugins directory " + pluginsDir + " does not exist; no plugins loaded");
            return List.of();
        }
        List<Path> sources;
        try (Stream<Path> files = Files.list(pluginsDir)) {
            sources = files.filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar"))
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
        String file = source.toString();
        URL[] jars;
        try {
            jars = jarsOf(source);
            checkSpiVersion(source, jars);
        } catch (PluginException e) {
            return List.of(failed(source, null, e.getMessage()));
        }
        PluginClassLoader loader = new PluginClassLoader(source.getFileName().toString(), jars, spiParent);
        List<McpPlugin> providers = new ArrayList<>();
        try {
            ServiceLoader.load(McpPlugin.class, loader).stream().forEach(p -> providers.add(p.get()));
        } catch (ServiceConfigurationError | LinkageError e) {
            closeQuietly(loader);
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return List.of(failed(source, null, "cannot instantiate its plugin: " + describe(cause)));
        }
        if (providers.isEmpty()) {
            closeQuietly(loader);
            return List.of(failed(source, null, "no provider of io.mcpserver.spi.McpPlugin in "
                    + "META-INF/services (searched " + List.of(jars) + ")"));
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

    private PluginSummary start(McpPlugin plugin, Path source, ClassLoader loader) {
        String name;
        try {
            name = plugin.name();
        } catch (RuntimeException | LinkageError e) {
            return failed(source, null, "name() failed: " + describe(e));
        }
        if (name == null || !NAME.matcher(name).matches()) {
            return failed(source, name, "invalid plugin name '" + name + "' (lower-case letters, digits and '-')");
        }
        if (loaded.containsKey(name)) {
            return failed(source, name, "duplicate plugin name '" + name + "' (already loaded from "
                    + loaded.get(name).source() + ")");
        }
        PluginConfig config = configs.apply(name);
        boolean enabled;
        try {
            enabled = config.bool("enabled", plugin.enabledByDefault());
        } catch (IllegalArgumentException e) {
            return failed(source, name, "plugins." + name + "." + e.getMessage());
        }
        String version = safeVersion(plugin);
        if (!enabled) {
            LOG.log(System.Logger.Level.INFO, "Plugin " + name + " " + version + " from " + source
                    + " is disabled (set plugins." + name + ".enabled: true to turn it on)");
            return new PluginSummary(name, version, safeDescription(plugin), source, "disabled",
                    "disabled in configuration", List.of(), List.of(), List.of());
        }
        LOG.log(System.Logger.Level.INFO, "Loading plugin " + name + " " + version + " from " + source);
        Owner owner = new Owner(name, loader);
        Contributions contributions;
        try {
            PluginContextImpl context = new PluginContextImpl(name, config, dataDir.resolve(name), resourceUpdated,
                    () -> refresh(name));
            owner.call(() -> {
                plugin.init(context);
                return null;
            });
            contributions = collect(plugin, owner);
            registry.register(contributions);
        } catch (Exception | LinkageError e) {
            closePlugin(plugin, name);
            return failed(source, name, describe(e));
        }
        loaded.put(name, new LoadedPlugin(plugin, source, loader, contributions));
        logContributions(contributions);
        return new PluginSummary(name, version, safeDescription(plugin), source, "loaded", null,
                contributions.tools().stream().map(t -> t.descriptor().name()).toList(),
                Stream.concat(contributions.resources().stream().map(r -> r.descriptor().uri()),
                        contributions.templates().stream().map(t -> t.descriptor().uriTemplate())).toList(),
                contributions.prompts().stream().map(p -> p.descriptor().name()).toList());
    }

    /** Re-reads a plugin's contributions after it called {@code contributionsChanged()}. */
    private void refresh(String name) {
        LoadedPlugin plugin = loaded.get(name);
        if (plugin == null) {
            return;
        }
        try {
            Contributions next = collect(plugin.plugin(), plugin.contributions().owner());
            registry.register(next);
            loaded.put(name, new LoadedPlugin(plugin.plugin(), plugin.source(), plugin.classLoader(), next));
            LOG.log(System.Logger.Level.INFO, "Plugin " + name + " changed its contributions: " + summary(next));
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Plugin " + name + " changed its contributions, but they were refused: "
                    + describe(e) + "; keeping the previous ones");
        }
    }

    /** Removes a plugin: its contributions leave the registry, then it is closed with its class loader. */
    public boolean unload(String name) {
        LoadedPlugin plugin = loaded.remove(name);
        if (plugin == null) {
            return false;
        }
        registry.unregister(name);
        closePlugin(plugin.plugin(), name);
        if (loaded.values().stream().noneMatch(p -> p.classLoader() == plugin.classLoader())
                && plugin.classLoader() instanceof PluginClassLoader l) {
            closeQuietly(l);
        }
        LOG.log(System.Logger.Level.INFO, "Unloaded plugin " + name + " (" + plugin.source() + ")");
        return true;
    }

    @Override
    public void close() {
        for (String name : List.copyOf(loaded.keySet())) {
            unload(name);
        }
    }

    private static Contributions collect(McpPlugin plugin, Owner owner) throws Exception {
        return owner.call(() -> {
            List<Tool> tools = new ArrayList<>(nonNull(plugin.tools()));
            for (Object annotated : nonNull(plugin.annotatedTools())) {
                tools.addAll(AnnotatedTools.from(annotated));
            }
            return new Contributions(owner, tools, nonNull(plugin.resources()), nonNull(plugin.resourceTemplates()),
                    nonNull(plugin.prompts()), nonNull(plugin.completions()));
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

    private PluginSummary failed(Path source, String name, String reason) {
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
