package io.mcpserver.testkit.bridge;

import java.nio.file.Path;

/**
 * A server the kit started in its own class loader, as the kit's public side sees it. This package is the only
 * one (besides the SPI) that both sides share, so it speaks JDK types only. Not for plugin code.
 */
public interface EmbeddedServer extends AutoCloseable {

    /** {@code host:port} of the TCP transport. */
    String tcpAddress();

    Path pluginsDir();

    /** The folder under which each plugin gets {@code <name>/} as its data directory. */
    Path dataDir();

    /** JSON text of a plain value (maps, lists, strings, numbers, booleans, null), with the server's own mapper. */
    String toJson(Object value);

    /** A JSON text as plain values; throws {@link IllegalArgumentException} when it is not JSON. */
    Object parseJson(String text);

    /** Stops the server; never throws. */
    @Override
    void close();

    /** What to start: the server side's entry point implements this and has a public no-argument constructor. */
    interface Starter {

        /**
         * Starts a server in {@code home}: configuration keys as in {@code conf/mcp-server.yaml}, plugin instances made by the test,
         * and plugin classes to load through a plugin class loader over {@code pluginClassPath}.
         *
         * @throws IllegalStateException when a plugin does not load or the server does not start; the message says why
         */
        EmbeddedServer start(Path home, java.util.Map<String, String> config, java.util.List<Object> pluginInstances,
                             java.util.List<String> pluginClasses, java.util.List<Path> pluginClassPath);
    }
}
