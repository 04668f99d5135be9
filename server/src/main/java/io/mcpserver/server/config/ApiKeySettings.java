package io.mcpserver.server.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * {@code security.api-keys} and {@code security.api-keys-file}: API keys, stored only as hashes, each standing for
 * a subject with scopes and roles, until an optional expiry.
 *
 * @param keys the keys of the configuration, by name
 * @param file a YAML file with an {@code api-keys:} map of the same shape, re-read when it changes; null if none
 */
public record ApiKeySettings(Map<String, ApiKey> keys, Path file) {

    public static final ApiKeySettings NONE = new ApiKeySettings(Map.of(), null);

    /** {@code sha256:} and 64 hexadecimal digits: the SHA-256 of the key's UTF-8 bytes. */
    public static final Pattern HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");
    private static final java.time.format.DateTimeFormatter YAML_DATE =
            java.time.format.DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss zzz yyyy", java.util.Locale.ROOT);
    private static final Set<String> FIELDS = Set.of("hash", "subject", "scopes", "roles", "expires");

    public ApiKeySettings {
        keys = Map.copyOf(keys);
    }

    /** Whether API keys are accepted at all (some are configured, or a keys file is). */
    public boolean configured() {
        return !keys.isEmpty() || file != null;
    }

    /**
     * One key.
     *
     * @param name    its name in the map (for logs; never secret)
     * @param hash    {@code sha256:<hex>} of the key
     * @param subject the caller it stands for (default: the name)
     * @param expires when it stops being accepted; null: never
     */
    public record ApiKey(String name, String hash, String subject, Set<String> scopes, Set<String> roles,
                         Instant expires) {

        public ApiKey {
            scopes = Set.copyOf(scopes);
            roles = Set.copyOf(roles);
        }

        @Override
        public String toString() {
            return "ApiKey[" + name + ", subject " + subject + "]";
        }
    }

    static ApiKeySettings read(ConfigReader r, Path home) {
        Map<String, ApiKey> keys = parse(r.section("security.api-keys"), "security.api-keys", r::problem);
        Path file = r.path("security.api-keys-file", home);
        if (file != null) {
            try {
                readFile(file); // a broken file stops the start (and --check-config) with its problems
            } catch (IOException e) {
                r.problem("security.api-keys-file", e.getMessage());
            }
        }
        return new ApiKeySettings(keys, file);
    }

    /**
     * The keys of a keys file: YAML with an {@code api-keys:} map, each entry as in the configuration.
     *
     * @throws IOException naming every problem when the file cannot be read or an entry is wrong
     */
    public static Map<String, ApiKey> readFile(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("file " + file + " does not exist or is not readable");
        }
        Config root;
        try {
            // read as the configuration is (YamlConfigFile): an anchor used inside itself is a problem with its line,
            // not a StackOverflowError out of Helidon's reader, which no catch here took, on a running server's
            // re-read of the file too
            root = ConfigLoader.of(List.of(ConfigSources.create(YamlConfigFile.read(file))));
            root.traverse().forEach(node -> { });
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        for (Config node : root.asNodeList().orElse(List.of())) {
            if (!node.name().equals("api-keys")) {
                problems.add(node.name() + ": unknown key; the file has one map, api-keys");
            }
        }
        Map<String, ApiKey> keys = parse(root.get("api-keys"), "api-keys", (k, p) -> problems.add(k + ": " + p));
        if (!problems.isEmpty()) {
            throw new IOException(file + ": " + String.join("; ", problems));
        }
        return keys;
    }

    /** The entries of an {@code api-keys} map; every problem goes to {@code problems} (key, reason). */
    static Map<String, ApiKey> parse(Config section, String at, BiConsumer<String, String> problems) {
        Map<String, ApiKey> keys = new LinkedHashMap<>();
        Set<String> hashes = new java.util.HashSet<>();
        for (Config entry : section.asNodeList().orElse(List.of())) {
            String key = at + "." + entry.name();
            if (entry.type() != Config.Type.OBJECT) {
                problems.accept(key, "an API key is a map: {hash: \"sha256:…\", subject, scopes, roles, expires}");
                continue;
            }
            for (Config field : entry.asNodeList().orElse(List.of())) {
                if (!FIELDS.contains(field.name())) {
                    problems.accept(key + "." + field.name(), "unknown key; an API key has " + new TreeSet<>(FIELDS));
                }
            }
            String hash = entry.get("hash").asString().orElse("").strip();
            if (!HASH.matcher(hash).matches()) {
                problems.accept(key + ".hash", "must be \"sha256:\" and 64 hex digits (mcp-server --new-api-key "
                        + "prints one); never the key itself");
                continue;
            }
            hash = hash.toLowerCase(java.util.Locale.ROOT);
            if (!hashes.add(hash)) {
                problems.accept(key + ".hash", "the same key is configured twice");
                continue;
            }
            String subject = entry.get("subject").asString().orElse(entry.name()).strip();
            if (subject.isEmpty()) {
                problems.accept(key + ".subject", "must not be blank");
                continue;
            }
            Instant expires = null;
            String until = entry.get("expires").asString().orElse("").strip();
            if (!until.isEmpty()) {
                expires = instant(until);
                if (expires == null) {
                    problems.accept(key + ".expires", "must be an ISO-8601 instant (2027-01-31T00:00:00Z) or date "
                            + "(2027-01-31, the start of that day in UTC), was '" + until + "'");
                    continue;
                }
            }
            keys.put(entry.name(), new ApiKey(entry.name(), hash, subject, strings(entry.get("scopes")),
                    strings(entry.get("roles")), expires));
        }
        return keys;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                try { // an unquoted YAML timestamp reaches us as java.util.Date#toString
                    return java.time.ZonedDateTime.parse(text, YAML_DATE).toInstant();
                } catch (DateTimeParseException e3) {
                    return null;
                }
            }
        }
    }

    private static Set<String> strings(Config node) {
        if (!node.exists()) {
            return Set.of();
        }
        List<String> values = node.isLeaf() ? List.of(node.asString().orElse("").split("[\\s,]+"))
                : node.asList(String.class).orElse(List.of());
        return new LinkedHashSet<>(values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList());
    }
}
