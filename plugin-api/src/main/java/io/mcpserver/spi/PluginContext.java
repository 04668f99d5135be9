package io.mcpserver.spi;

import java.nio.file.Path;

/** What the server gives a plugin at {@link McpPlugin#init}: its own config, a logger, a data directory. */
public interface PluginContext {

    /** The plugin's name, as returned by {@link McpPlugin#name()}. */
    String pluginName();

    /** The plugin's own {@code plugins.<name>} configuration section; empty when absent. */
    PluginConfig config();

    /** A logger named {@code mcp.plugin.<name>}. */
    System.Logger logger();

    /** A directory the plugin may write to, created on first call and kept across restarts. */
    Path dataDirectory();

    /** Tells subscribed clients that the resource at {@code uri} changed. */
    void resourceUpdated(String uri);

    /**
     * Tells the server that the lists returned by the contribution methods changed: it reads them
     * again and sends {@code list_changed} notifications for the kinds that differ.
     */
    void contributionsChanged();
}
