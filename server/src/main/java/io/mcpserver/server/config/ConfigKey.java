package io.mcpserver.server.config;

import java.util.List;
import java.util.Objects;

/**
 * One configuration key, declared once in {@link ConfigKeys}: the reader takes its default from here,
 * {@code --check-config} its secrecy, and tests hold {@code conf/mcp-server.yaml} and
 * {@code docs/configuration.md} to it.
 *
 * @param name         the full dotted key, e.g. {@code protocol.page-size}
 * @param type         how its value is read
 * @param defaultValue the default as written in YAML ({@code 4MiB}, {@code [/ws, /]}); null when there is
 *                     none or it is derived from another key at read time
 * @param defaultNote  what the reference shows beside (or instead of) the literal default, e.g. {@code (off)}
 *                     or {@code `server.host`}; null for nothing
 * @param doc          the one line the reference shows as its meaning
 * @param secret       masked by {@code --check-config} and never logged
 * @param min          smallest accepted value of an integer
 * @param max          largest accepted value of an integer
 * @param choices      accepted values of a {@link Type#CHOICE}, lower case
 */
public record ConfigKey(String name, Type type, String defaultValue, String defaultNote, String doc, boolean secret,
                        long min, long max, List<String> choices) {

    /** How a value is read; the last three are containers whose children are named by the user. */
    public enum Type {
        STRING, BOOLEAN, INTEGER, PORT, SIZE, DURATION, CHOICE, LIST, PATH,
        /** a map whose keys the user chooses (tool names, certificate subjects, scopes) */
        MAP,
        /** a list of {@code match}/{@code scopes}/{@code roles} rules */
        RULES
    }

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(doc, "doc");
        choices = List.copyOf(choices);
        if (defaultValue == null && defaultNote == null) {
            throw new IllegalArgumentException(name + ": say what the default is (a value or a note)");
        }
    }

    static ConfigKey key(String name, Type type, String defaultValue, String defaultNote, String doc) {
        long max = type == Type.PORT ? 65_535 : Integer.MAX_VALUE;
        return new ConfigKey(name, type, defaultValue, defaultNote, doc, false, 0, max, List.of());
    }

    ConfigKey range(long low, long high) {
        return new ConfigKey(name, type, defaultValue, defaultNote, doc, secret, low, high, choices);
    }

    ConfigKey oneOf(String... values) {
        return new ConfigKey(name, type, defaultValue, defaultNote, doc, secret, min, max, List.of(values));
    }

    ConfigKey asSecret() {
        return new ConfigKey(name, type, defaultValue, defaultNote, doc, true, min, max, choices);
    }

    /** Whether the user names this key's children (so they are not checked against the declarations). */
    public boolean isContainer() {
        return type == Type.MAP || type == Type.RULES || type == Type.LIST;
    }

    /** The default column of the reference: {@code `literal`}, the literal and its note, or the note alone. */
    public String shownDefault() {
        if (defaultValue == null) {
            return defaultNote;
        }
        return "`" + defaultValue + "`" + (defaultNote == null ? "" : " " + defaultNote);
    }
}
