package io.mcpserver.plugins.time;

import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.PluginContext;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.Root;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.client.UnsupportedByClientException;
import io.mcpserver.spi.tools.ToolContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Minimal stand-ins for what the server hands a plugin (a shared test kit will replace them). */
final class FakeContexts {

    private FakeContexts() {
    }

    static PluginContext plugin(Map<String, Object> config) {
        return new PluginContext() {
            @Override
            public String pluginName() {
                return "time";
            }

            @Override
            public PluginConfig config() {
                return new PluginConfig(config);
            }

            @Override
            public System.Logger logger() {
                return System.getLogger("mcp.plugin.time");
            }

            @Override
            public Path dataDirectory() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void resourceUpdated(String uri) {
            }

            @Override
            public void contributionsChanged() {
            }
        };
    }

    static ToolContext tool() {
        return new ToolContext() {
            @Override
            public void progress(double progress, Double total, String message) {
            }

            @Override
            public boolean clientSupports(ClientFeature feature) {
                return false;
            }

            @Override
            public SamplingResult sample(SamplingRequest request) {
                throw new UnsupportedByClientException(ClientFeature.SAMPLING);
            }

            @Override
            public ElicitationResult elicit(String message, Map<String, Object> requestedSchema) {
                throw new UnsupportedByClientException(ClientFeature.ELICITATION);
            }

            @Override
            public List<Root> roots() {
                throw new UnsupportedByClientException(ClientFeature.ROOTS);
            }

            @Override
            public Caller caller() {
                return new Caller("test", Set.of(), Set.of(), "test", "c1", Map.of());
            }

            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public void onCancel(Runnable action) {
            }

            @Override
            public void log(LogLevel level, String logger, Object data) {
            }
        };
    }
}
