package io.mcpserver.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.config.ConfigReader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.plugins.LoadedPlugin;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.transport.Transport;
import io.mcpserver.spi.transport.TransportContext;
import io.mcpserver.spi.transport.TransportFactory;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A transport contributed by a plugin: its connections feed the same dispatcher as the built-in ones, and
 * authenticate at the same edge: with security on, a connection's first message carries the bearer token in
 * {@code params._meta["io.mcpserver/authorization"]}, as on TCP.
 */
public final class PluginTransport implements ServerTransport {

    private final McpCore core;
    private final TransportFactory factory;
    private final LoadedPlugin plugin;
    private final PluginConfig config;
    private final long maxMessageSize;
    private final EdgeAuthenticator edge;
    private Transport transport;

    /** @param edge the one edge authenticator (the null object when security is off) */
    public PluginTransport(McpCore core, TransportFactory factory, LoadedPlugin plugin, ServerConfig serverConfig,
                           EdgeAuthenticator edge) {
        this.core = core;
        this.factory = factory;
        this.plugin = plugin;
        this.config = new PluginConfig(ConfigReader.plain(
                serverConfig.raw().get("transports").get(factory.name())));
        this.maxMessageSize = config.size("max-message-size", serverConfig.maxMessageSize());
        this.edge = edge;
    }

    @Override
    public String name() {
        return factory.name();
    }

    @Override
    public void start() throws Exception {
        TransportContext context = new TransportContext() {
            @Override
            public PluginConfig config() {
                return config;
            }

            @Override
            public System.Logger logger() {
                return System.getLogger("mcp.transport." + factory.name());
            }

            @Override
            public Connection open(String remote, Consumer<String> outbound) {
                ReentrantLock lock = new ReentrantLock();
                MessageSink sink = (ObjectNode message) -> {
                    String text = Json.write(message);
                    lock.lock();
                    try {
                        outbound.accept(text);
                    } finally {
                        lock.unlock();
                    }
                };
                ClientConnection connection = new ClientConnection(core, factory.name(), sink, maxMessageSize, edge,
                        remote);
                // the SPI has no way to tell the plugin to drop its client: dropping closes the session (its calls
                // are cancelled) and refuses whatever the client still sends
                connection.presence(remote, () -> { });
                return connection;
            }
        };
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(plugin.classLoader());
        try {
            transport = factory.create(context);
            transport.start();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    @Override
    public String endpoint() {
        return factory.name() + "=on(" + plugin.name() + ")";
    }

    @Override
    public void close() {
        if (transport != null) {
            transport.close();
        }
    }
}
