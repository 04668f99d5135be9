package io.mcpserver.server.plugins;

import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.PluginContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The context one plugin receives: only its own config section, its own logger and data directory. */
final class PluginContextImpl implements PluginContext {

    private final String name;
    private final PluginConfig config;
    private final Path dataDirectory;
    private final Consumer<String> resourceUpdated;
    private final Runnable contributionsChanged;

    PluginContextImpl(String name, PluginConfig config, Path dataDirectory, Consumer<String> resourceUpdated,
                      Runnable contributionsChanged) {
        this.name = name;
        this.config = config;
        this.dataDirectory = dataDirectory;
        this.resourceUpdated = resourceUpdated;
        this.contributionsChanged = contributionsChanged;
    }

    @Override
    public String pluginName() {
        return name;
    }

    @Override
    public PluginConfig config() {
        return config;
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("mcp.plugin." + name);
    }

    @Override
    public Path dataDirectory() {
        try {
            return Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDirectory, e);
        }
    }

    @Override
    public void resourceUpdated(String uri) {
        resourceUpdated.accept(uri);
    }

    @Override
    public void contributionsChanged() {
        contributionsChanged.run();
    }
}
