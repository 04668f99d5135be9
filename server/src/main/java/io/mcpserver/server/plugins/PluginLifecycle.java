package io.mcpserver.server.plugins;

import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.tools.AnnotatedObjects;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.intercept.Interceptor;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.tools.Tool;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One plugin's life: the checks before it runs (name, duplicates, its configuration against the keys it
 * declares, {@code enabled}), {@code init}, reading its contributions, and at the end draining its running calls
 * and closing it with its class loader. Nothing here touches the registry; {@link PluginLoader} does that.
 *
 * <p>{@code close()} is called once for every plugin whose {@code init} returned normally (also when reading its
 * contributions failed afterwards), never for one whose {@code init} threw.
 */
final class PluginLifecycle {

    private static final System.Logger LOG = System.getLogger(PluginLoader.class.getName());
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /** Turns a reason into a failed summary (logged and counted by the loader). */
    interface Failures {
        PluginSummary failed(Path source, String name, String reason);
    }

    /** A plugin that passed {@code init}, with its summary, not registered yet. */
    record Prepared(LoadedPlugin plugin, PluginSummary summary) {
    }

    /** What became of one provider: a prepared plugin, or a summary saying why not (disabled, failed). */
    record Attempt(Prepared prepared, PluginSummary summary) {
    }

    private final Path dataDir;
    private final Function<String, PluginConfig> configs;
    private final Consumer<String> resourceUpdated;
    private final Failures failures;

    PluginLifecycle(Path dataDir, Function<String, PluginConfig> configs, Consumer<String> resourceUpdated,
                    Failures failures) {
        this.dataDir = dataDir;
        this.configs = configs;
        this.resourceUpdated = resourceUpdated;
        this.failures = failures;
    }

    /**
     * Checks a provider and runs its {@code init}; nothing is registered yet.
     *
     * @param nameTaken whether another plugin already holds a name (one being replaced does not)
     * @param taken     names prepared in this batch so far; the provider's is added
     * @param changed   what the plugin's {@code contributionsChanged()} does
     */
    Attempt prepare(McpPlugin plugin, Path source, ClassLoader loader, Predicate<String> nameTaken,
                    Set<String> taken, Function<String, Path> holder, Consumer<Owner> changed) {
        String name;
        try {
            name = plugin.name();
        } catch (RuntimeException | LinkageError e) {
            return failedAttempt(source, null, "name() failed: " + describe(e));
        }
        if (name == null || !NAME.matcher(name).matches()) {
            return failedAttempt(source, name, "invalid plugin name '" + name + "' (lower-case letters, digits and '-')");
        }
        if (nameTaken.test(name) || !taken.add(name)) {
            Path other = holder.apply(name);
            return failedAttempt(source, name, "duplicate plugin name '" + name + "' (already loaded from "
                    + (other == null ? source : other) + ")");
        }
        PluginConfig config;
        try {
            config = configure(plugin, name);
        } catch (PluginException e) {
            return failedAttempt(source, name, e.getMessage());
        }
        boolean enabled = config.bool(PluginConfigSchema.ENABLED, plugin.enabledByDefault());
        String version = safeVersion(plugin);
        if (!enabled) {
            LOG.log(System.Logger.Level.INFO, "Plugin " + name + " " + version + " from " + source
                    + " is disabled (set plugins." + name + ".enabled: true to turn it on)");
            return new Attempt(null, new PluginSummary(name, version, safeDescription(plugin), source,
                    PluginStatus.DISABLED, "disabled in configuration", List.of(), List.of(), List.of()));
        }
        LOG.log(System.Logger.Level.INFO, "Loading plugin " + name + " " + version + " from " + source);
        Owner owner = new Owner(name, loader);
        PluginContextImpl context = new PluginContextImpl(name, config, dataDir.resolve(name), resourceUpdated,
                () -> changed.accept(owner));
        try {
            owner.call(() -> {
                plugin.init(context);
                return null;
            });
        } catch (Exception | LinkageError e) {
            owner.retire(); // init threw: the plugin cleans up after itself, close() is not called
            return failedAttempt(source, name, describe(e));
        }
        Contributions contributions;
        try {
            contributions = collect(plugin, owner);
        } catch (Exception | LinkageError e) {
            owner.retire();
            close(plugin, name);
            return failedAttempt(source, name, describe(e));
        }
        PluginSummary summary = new PluginSummary(name, version, safeDescription(plugin), source, PluginStatus.LOADED,
                null, contributions.tools().stream().map(t -> t.descriptor().name()).toList(),
                Stream.concat(contributions.resources().stream().map(r -> r.descriptor().uri()),
                        contributions.templates().stream().map(t -> t.descriptor().uriTemplate())).toList(),
                contributions.prompts().stream().map(p -> p.descriptor().name()).toList());
        return new Attempt(new Prepared(new LoadedPlugin(plugin, source, loader, contributions), summary), summary);
    }

    /**
     * The plugin's section, read now (so a reload sees the file as it is now), checked against the keys the
     * plugin declares and completed with their defaults.
     */
    private PluginConfig configure(McpPlugin plugin, String name) throws PluginException {
        PluginConfigSchema schema;
        try {
            schema = new PluginConfigSchema(name, plugin.configKeys());
        } catch (RuntimeException | LinkageError e) {
            throw new PluginException(describe(e));
        }
        PluginConfig config;
        try {
            config = configs.apply(name);
        } catch (RuntimeException e) {
            throw new PluginException("cannot read its configuration: " + e.getMessage());
        }
        List<String> problems = schema.problems(config);
        if (!problems.isEmpty()) {
            throw new PluginException("invalid configuration: " + String.join("; ", problems));
        }
        return schema.withDefaults(config);
    }

    private Attempt failedAttempt(Path source, String name, String reason) {
        return new Attempt(null, failures.failed(source, name, reason));
    }

    static Contributions collect(McpPlugin plugin, Owner owner) throws Exception {
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
            List<Interceptor> interceptors = nonNull(plugin.interceptors());
            for (Interceptor i : interceptors) { // a name or order that throws fails the load, not the registry
                i.name();
                i.order();
            }
            return new Contributions(owner, tools, resources, templates, prompts, completions, interceptors);
        });
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list.stream().filter(Objects::nonNull).toList();
    }

    /**
     * Closes plugins that already left the registry: refuses new calls, waits for running ones (all within one
     * deadline), closes each plugin, then each class loader that {@code inUse} says no loaded plugin needs.
     */
    static void retire(List<LoadedPlugin> plugins, Duration wait, Predicate<ClassLoader> inUse) {
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
            close(p.plugin(), p.name());
            if (p.classLoader() instanceof PluginClassLoader l && !inUse.test(l)
                    && plugins.stream().filter(other -> other.classLoader() == l)
                    .allMatch(other -> other.contributions().owner().inFlight() == 0)) {
                PluginClassLoaders.close(l);
            }
            LOG.log(System.Logger.Level.INFO, "Unloaded plugin " + p.name() + " (" + p.source() + ")");
        }
    }

    static void close(McpPlugin plugin, String name) {
        try {
            plugin.close();
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Plugin " + name + " failed to close: " + describe(e));
        }
    }

    static void logContributions(Contributions c) {
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
                + p.ref().kind().name().toLowerCase(Locale.ROOT) + " " + p.ref().name() + " (" + plugin + ")"));
        c.interceptors().forEach(i -> LOG.log(System.Logger.Level.INFO, "Registering interceptor " + i.name()
                + " (order " + i.order() + ", " + plugin + ")"));
    }

    static String summary(Contributions c) {
        return c.tools().size() + " tools, " + c.resources().size() + " resources, " + c.templates().size()
                + " templates, " + c.prompts().size() + " prompts"
                + (c.interceptors().isEmpty() ? "" : ", " + c.interceptors().size() + " interceptors");
    }

    static String safeVersion(McpPlugin plugin) {
        try {
            return plugin.version();
        } catch (RuntimeException | LinkageError e) {
            return "unversioned";
        }
    }

    static String safeDescription(McpPlugin plugin) {
        try {
            return plugin.description();
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
    }

    static String describe(Throwable e) {
        if (e instanceof InvocationTargetException && e.getCause() != null) {
            e = e.getCause();
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
