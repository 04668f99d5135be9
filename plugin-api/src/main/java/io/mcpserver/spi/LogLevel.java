package io.mcpserver.spi;

import java.util.Locale;

/** MCP log levels (RFC 5424 severities), least severe first. */
public enum LogLevel {
    DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY;

    /** The wire name: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LogLevel fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
