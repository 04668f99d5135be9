package io.mcpserver.testkit;

import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.PluginContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link PluginContext} for plain unit tests that call {@code init} themselves: the plugin's configuration
 * section as a map, and a record of the callbacks it made.
 *
 * <pre>{@code
 * TestPluginContext context = TestPluginContext.of("notes").config(Map.of("max-length", 100));
 * plugin.init(context);
 * ... context.updatedResources() ...
 * }</pre>
 *
 * <p>The data directory is a new temporary folder, made on first use, unless {@link #dataDirectory(Path)} names
 * one. The logger is {@code mcp.plugin.<name>}, as in the server.
 */
public final class TestPluginContext implements PluginContext {

    private final String name;
    private volatile Map<String, Object> config = Map.of();
    private volatile Path dataDirectory;
    private final List<String> updatedResources = new CopyOnWriteArrayList<>();
    private final AtomicInteger contributionsChanged = new AtomicInteger();

    private TestPluginContext(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** A context for the plugin named {@code name}, with an empty configuration section. */
    public static TestPluginContext of(String name) {
        return new TestPluginContext(name);
    }

    /** The plugin's {@code plugins.<name>} section, as YAML would give it (nested maps and lists allowed). */
    public TestPluginContext config(Map<String, ?> section) {
        this.config = Map.copyOf(section);
        return this;
    }

    public TestPluginContext dataDirectory(Path directory) {
        this.dataDirectory = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /** The URIs the plugin passed to {@link #resourceUpdated}, in order. */
    public List<String> updatedResources() {
        return List.copyOf(updatedResources);
    }

    /** How often the plugin called {@link #contributionsChanged()}. */
    public int contributionsChangedCount() {
        return contributionsChanged.get();
    }

    @Override
    public String pluginName() {
        return name;
    }

    @Override
    public PluginConfig config() {
        return new PluginConfig(config);
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("mcp.plugin." + name);
    }

    @Override
    public synchronized Path dataDirectory() {
        try {
            if (dataDirectory == null) {
                dataDirectory = Files.createTempDirectory("mcp-plugin-data-" + name + "-");
            }
            return Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void resourceUpdated(String uri) {
        updatedResources.add(uri);
    }

    @Override
    public void contributionsChanged() {
        contributionsChanged.incrementAndGet();
    }
}
