package io.mcpserver.server.plugins;

/** A plugin source that cannot be loaded; the message is the reason shown in the log and summaries. */
final class PluginException extends Exception {

    PluginException(String message) {
        super(message, null, false, false);
    }
}
