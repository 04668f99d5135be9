package io.mcpserver.plugins.filesystem;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginConfigKey;
import io.mcpserver.spi.PluginContext;

import java.util.List;

/**
 * Files under configured root directories: list, read, search, stat; write and create directories
 * only when {@code allow-write} is on. Paths outside the roots, {@code ..} segments and symbolic links
 * leading out are refused.
 */
public final class FilesystemPlugin implements McpPlugin {

    private FilesystemSettings settings;
    private PathGuard guard;

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public String description() {
        return "Read, list and search files under configured root directories; optional writes";
    }

    @Override
    public List<PluginConfigKey> configKeys() {
        return FilesystemSettings.KEYS;
    }

    @Override
    public void init(PluginContext context) {
        settings = FilesystemSettings.from(context.config());
        guard = PathGuard.of(settings.roots(), context.logger());
        if (!guard.hasRoots()) {
            context.logger().log(System.Logger.Level.INFO,
                    "filesystem: no usable root configured (plugins.filesystem.roots); every call will say so");
        }
    }

    @Override
    public List<Object> annotatedTools() {
        if (guard == null) {
            return List.of();
        }
        FileReadTools read = new FileReadTools(guard, settings);
        return settings.allowWrite() ? List.of(read, new FileWriteTools(guard)) : List.of(read);
    }
}
