package io.mcpserver.server.plugins;

import io.mcpserver.spi.McpPlugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Opening a plugin source: one {@link PluginClassLoader} for its JARs, whose parent exposes only the JDK and
 * {@code io.mcpserver.spi}, and the {@link McpPlugin} providers {@link ServiceLoader} finds in it (at least one).
 */
final class PluginClassLoaders {

    private static final System.Logger LOG = System.getLogger(PluginClassLoaders.class.getName());

    private final SpiOnlyClassLoader spiParent = new SpiOnlyClassLoader(McpPlugin.class.getClassLoader());

    /** A source's class loader and the plugin instances made in it (constructed, nothing else called yet). */
    record Opened(Path source, PluginClassLoader loader, List<McpPlugin> providers) {
    }

    /** A plugin class loader over these URLs, with the same parent as every plugin's. */
    PluginClassLoader newLoader(String name, URL[] urls) {
        return new PluginClassLoader(name, urls, spiParent);
    }

    /** Opens {@code source}; on failure nothing stays open. */
    Opened open(Path source) throws PluginException {
        URL[] jars = PluginSources.jars(source);
        PluginClassLoader loader = new PluginClassLoader(source.getFileName().toString(), jars, spiParent);
        try {
            return new Opened(source, loader, providers(jars, loader));
        } catch (PluginException e) {
            close(loader);
            throw e;
        }
    }

    /** Instantiates every provider of {@link McpPlugin} the JARs list; at least one must exist. */
    private static List<McpPlugin> providers(URL[] jars, ClassLoader loader) throws PluginException {
        List<McpPlugin> providers = new ArrayList<>();
        try {
            ServiceLoader.load(McpPlugin.class, loader).stream().forEach(p -> providers.add(p.get()));
        } catch (ServiceConfigurationError | LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PluginException("cannot instantiate its plugin: " + PluginLifecycle.describe(cause));
        }
        if (providers.isEmpty()) {
            throw new PluginException("no provider of io.mcpserver.spi.McpPlugin in META-INF/services (searched "
                    + List.of(jars) + ")");
        }
        return providers;
    }

    static void close(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + loader + ": " + e);
        }
    }
}
