package io.mcpserver.server.plugins;

import io.mcpserver.server.registry.Contributions;
import io.mcpserver.spi.McpPlugin;

import java.nio.file.Path;

/** A plugin that passed loading: where it came from and what it contributed. */
public record LoadedPlugin(McpPlugin plugin, Path source, ClassLoader classLoader, Contributions contributions) {

    public String name() {
        return plugin.name();
    }
}
