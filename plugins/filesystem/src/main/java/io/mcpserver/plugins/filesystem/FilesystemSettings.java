package io.mcpserver.plugins.filesystem;

import io.mcpserver.spi.ConfigValues;
import io.mcpserver.spi.PluginConfig;
import io.mcpserver.spi.PluginConfigKey;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code plugins.filesystem} section.
 *
 * @param roots        directories the tools may touch, as written (absolute, or starting with {@code ~})
 * @param allowWrite   whether the write tools exist at all
 * @param maxReadBytes the most bytes one {@code read_file} call returns, and the largest file content search opens
 * @param maxResults   the most entries one listing or search returns
 */
record FilesystemSettings(List<String> roots, boolean allowWrite, long maxReadBytes, int maxResults) {

    private static final String MAX_READ_BYTES = "1MiB";
    static final long DEFAULT_MAX_READ_BYTES = ConfigValues.parseSize(MAX_READ_BYTES);
    static final int DEFAULT_MAX_RESULTS = 200;

    /** The keys of {@code plugins.filesystem}, with the defaults used below. */
    static final List<PluginConfigKey> KEYS = List.of(
            PluginConfigKey.builder("roots", PluginConfigKey.Type.LIST).defaultValue("[]")
                    .description("directories the filesystem tools may read; nothing is reachable until listed").build(),
            PluginConfigKey.builder("allow-write", PluginConfigKey.Type.BOOLEAN).defaultValue("false")
                    .description("offer `write_file` and `create_directory`").build(),
            PluginConfigKey.builder("max-read-bytes", PluginConfigKey.Type.SIZE).defaultValue(MAX_READ_BYTES)
                    .description("largest file `read_file` returns").build(),
            PluginConfigKey.builder("max-results", PluginConfigKey.Type.INTEGER)
                    .defaultValue(String.valueOf(DEFAULT_MAX_RESULTS))
                    .description("most matches a search returns").build());

    FilesystemSettings {
        roots = List.copyOf(roots);
        if (maxReadBytes < 1) {
            throw new IllegalArgumentException("'max-read-bytes' must be at least 1, was " + maxReadBytes);
        }
        if (maxResults < 1) {
            throw new IllegalArgumentException("'max-results' must be at least 1, was " + maxResults);
        }
    }

    static FilesystemSettings from(PluginConfig config) {
        List<String> roots = new ArrayList<>();
        for (String entry : config.strings("roots")) {
            // an environment override arrives as one string: accept a PATH-style list there
            for (String part : entry.split(File.pathSeparator)) {
                if (!part.isBlank()) {
                    roots.add(part.trim());
                }
            }
        }
        long maxResults = config.number("max-results", DEFAULT_MAX_RESULTS);
        return new FilesystemSettings(roots,
                config.bool("allow-write", false),
                config.size("max-read-bytes", DEFAULT_MAX_READ_BYTES),
                (int) Math.min(Integer.MAX_VALUE, maxResults));
    }
}
