package io.mcpserver.server.plugins;

import io.mcpserver.spi.McpPlugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration keys the plugins in a directory declare, read without starting them (their providers are
 * constructed, {@code name()} and {@code configKeys()} called, nothing else), for {@code --check-config}.
 *
 * @param schemas  by plugin name
 * @param problems plugins whose declaration itself is broken
 */
public record PluginConfigScan(Map<String, PluginConfigSchema> schemas, List<String> problems) {

    private static final System.Logger LOG = System.getLogger(PluginConfigScan.class.getName());

    /** Scans {@code dir}; sources that cannot be opened are skipped ({@code --list-plugins} says why). */
    public static PluginConfigScan of(Path dir) {
        Map<String, PluginConfigSchema> schemas = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new PluginConfigScan(schemas, problems);
        }
        List<Path> sources;
        try {
            sources = PluginSources.list(dir);
        } catch (IOException e) {
            problems.add("plugins.dir: cannot list " + dir + ": " + e.getMessage());
            return new PluginConfigScan(schemas, problems);
        }
        PluginClassLoaders classLoaders = new PluginClassLoaders();
        for (Path source : sources) {
            PluginClassLoaders.Opened opened;
            try {
                opened = classLoaders.open(source);
            } catch (PluginException e) {
                LOG.log(System.Logger.Level.DEBUG, "not scanning " + source + ": " + e.getMessage());
                continue;
            }
            try {
                for (McpPlugin plugin : opened.providers()) {
                    String name;
                    try {
                        name = plugin.name();
                        schemas.put(name, new PluginConfigSchema(name, plugin.configKeys()));
                    } catch (RuntimeException | LinkageError e) {
                        problems.add("plugin in " + source.getFileName() + ": " + PluginLifecycle.describe(e));
                    }
                }
            } finally {
                PluginClassLoaders.close(opened.loader());
            }
        }
        return new PluginConfigScan(schemas, problems);
    }
}
