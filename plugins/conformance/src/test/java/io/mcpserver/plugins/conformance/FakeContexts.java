package io.mcpserver.plugins.conformance;

import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.PluginContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Minimal stand-ins for what the server hands a plugin (a shared test kit will replace them). */
final class FakeContexts {

    private FakeContexts() {
    }

    static PluginContext plugin(Map<String, Object> config) {
        return plugin(config, new java.util.concurrent.CopyOnWriteArrayList<>());
    }

    /** A plugin context that adds every URI passed to resourceUpdated to {@code updated}. */
    static PluginContext plugin(Map<String, Object> config, List<String> updated) {
        return new PluginContext() {
            @Override
            public String pluginName() {
                return "conformance";
            }

            @Override
            public PluginConfig config() {
                return new PluginConfig(config);
            }

            @Override
            public System.Logger logger() {
                return System.getLogger("mcp.plugin.conformance");
            }

            @Override
            public Path dataDirectory() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void resourceUpdated(String uri) {
                updated.add(uri);
            }

            @Override
            public void contributionsChanged() {
            }
        };
    }
}

