package io.mcpserver.spi.content;

import java.util.Locale;

public enum Role {
    USER, ASSISTANT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
