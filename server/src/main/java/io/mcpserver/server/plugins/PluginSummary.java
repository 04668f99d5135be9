package io.mcpserver.server.plugins;

import java.nio.file.Path;
import java.util.List;

/**
 * One line of {@code --list-plugins}: a plugin found in the plugins directory and what became of it.
 *
 * @param status  loaded, disabled or failed
 * @param reason  why it is disabled or failed, else null
 */
public record PluginSummary(String name, String version, String description, Path source, PluginStatus status,
                            String reason, List<String> tools, List<String> resources, List<String> prompts) {
}
