package io.mcpserver.server.plugins;

import java.util.Locale;

/** What became of a plugin found in the plugins directory. */
public enum PluginStatus {
    /** running: its contributions are in the registry */
    LOADED,
    /** found, and switched off by {@code plugins.<name>.enabled} (or its own default) */
    DISABLED,
    /** skipped: the summary's reason says why */
    FAILED;

    /** How {@code --list-plugins}, logs and {@code /ready} write it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return label();
    }
}
