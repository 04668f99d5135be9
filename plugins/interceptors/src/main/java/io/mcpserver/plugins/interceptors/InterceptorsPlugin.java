package io.mcpserver.plugins.interceptors;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.PluginConfigKey;
import io.mcpserver.spi.PluginContext;
import io.mcpserver.spi.intercept.Interceptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Two interceptors that are useful on their own and show the SPI: {@link ArgumentLog} (every request with its
 * arguments at FINE, denylisted fields redacted) and {@link ResultCache} (results of tools annotated read-only and
 * idempotent, kept for a while). Both are off until configured, so the plugin costs nothing by default.
 */
public final class InterceptorsPlugin implements McpPlugin {

    static final String DEFAULT_REDACTED = "[password, secret, token, api_key, authorization]";

    private final List<Interceptor> interceptors = new ArrayList<>();

    @Override
    public String name() {
        return "interceptors";
    }

    @Override
    public String description() {
        return "Redacting argument logging and a result cache for read-only, idempotent tools";
    }

    @Override
    public List<PluginConfigKey> configKeys() {
        return List.of(
                PluginConfigKey.builder("log-arguments", PluginConfigKey.Type.BOOLEAN).defaultValue("false")
                        .description("log every request with its arguments at FINE (logger `mcp.plugin.interceptors`)")
                        .build(),
                PluginConfigKey.builder("redact-fields", PluginConfigKey.Type.LIST).defaultValue(DEFAULT_REDACTED)
                        .description("argument fields, at any depth, logged as `***` (case, `-` and `_` ignored)")
                        .build(),
                PluginConfigKey.builder("cache-results", PluginConfigKey.Type.BOOLEAN).defaultValue("false")
                        .description("answer repeated calls of tools annotated read-only and idempotent from a cache")
                        .build(),
                PluginConfigKey.builder("cache-ttl", PluginConfigKey.Type.DURATION).defaultValue("30s")
                        .description("how long a cached result is served").build(),
                PluginConfigKey.builder("cache-max-entries", PluginConfigKey.Type.INTEGER).defaultValue("1000")
                        .description("most results kept; the least recently used go first").build());
    }

    @Override
    public void init(PluginContext context) {
        PluginConfig config = context.config();
        if (config.bool("log-arguments", false)) {
            interceptors.add(new ArgumentLog(context.logger(), config.strings("redact-fields")));
        }
        if (config.bool("cache-results", false)) {
            Duration ttl = config.duration("cache-ttl", Duration.ofSeconds(30));
            long max = config.number("cache-max-entries", 1000);
            if (ttl.isNegative() || ttl.isZero() || max < 1 || max > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("cache-ttl must be positive and cache-max-entries at least 1, was "
                        + ttl + " and " + max);
            }
            interceptors.add(new ResultCache(ttl, (int) max, System::nanoTime));
        }
    }

    @Override
    public List<Interceptor> interceptors() {
        return List.copyOf(interceptors);
    }
}
