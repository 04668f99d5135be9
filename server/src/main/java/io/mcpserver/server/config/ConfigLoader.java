package io.mcpserver.server.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import io.mcpserver.server.protocol.ClientText;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the config tree from, highest priority first: command-line flags, {@code MCP_*} environment
 * variables, the YAML file. Environment names map to keys by lower-casing, {@code __} → {@code -} and
 * {@code _} → {@code .}: {@code MCP_TRANSPORTS_TCP_PORT} is {@code transports.tcp.port},
 * {@code MCP_PROTOCOL_PAGE__SIZE} is {@code protocol.page-size}.
 */
public final class ConfigLoader {

    public static final String ENV_PREFIX = "MCP_";

    private ConfigLoader() {
    }

    /**
     * @param file      the YAML file; null to use {@code defaultFile} when it exists
     * @param overrides keys set by command-line flags
     */
    public static Config load(Path file, Path defaultFile, Map<String, String> overrides, Map<String, String> env) {
        Map<String, String> environment = fromEnvironment(env);
        overrides.keySet().stream().filter(ConfigLoader::hasEmptyPart).findFirst().ifPresent(key -> {
            throw new ConfigException("--set: " + emptyPart(key));
        });
        environment.keySet().stream().filter(ConfigLoader::hasEmptyPart).findFirst().ifPresent(key -> {
            throw new ConfigException("environment: " + emptyPart(key));
        });
        List<java.util.function.Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        sources.add(ConfigSources.create(overrides).name("command line").build());
        sources.add(ConfigSources.create(environment).name("environment").build());
        Path yaml = file != null ? file : defaultFile;
        if (file != null && !Files.isRegularFile(file)) {
            throw new ConfigException("--config: file " + file + " does not exist");
        }
        if (yaml != null && Files.isRegularFile(yaml)) {
            if (!Files.isReadable(yaml)) {
                throw new ConfigException("--config: file " + yaml + " is not readable");
            }
            sources.add(ConfigSources.create(YamlConfigFile.read(yaml)));
        }
        try {
            Config config = of(sources);
            config.traverse().forEach(node -> { }); // forces parsing, so a YAML error surfaces here
            return config;
        } catch (RuntimeException e) {
            throw new ConfigException("cannot read configuration " + yaml + ": " + rootMessage(e));
        }
    }

    /**
     * A Helidon config of exactly {@code sources}: no environment variables or system properties of Helidon's own
     * naming, and no parser lookup (a file arrives parsed, by {@link YamlConfigFile}).
     */
    static Config of(List<? extends java.util.function.Supplier<? extends ConfigSource>> sources) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableParserServices()
                .sources(List.copyOf(sources))
                .build();
    }

    /**
     * The keys set by {@code MCP_*} variables. A variable whose key is outside every section of this server is
     * ignored with one warning: other MCP programs read {@code MCP_*} too (an AI client's {@code MCP_TIMEOUT}), and
     * a server must not refuse to start in their environment. A wrong key inside one of our sections
     * ({@code MCP_SECURITY_ENABLE}) is still refused as unknown, with a suggestion.
     */
    /** {@code .a}, {@code a..b}, {@code a.}: Helidon reads an empty part as the root and recurses without end. */
    static boolean hasEmptyPart(String key) {
        return key.isEmpty() || key.startsWith(".") || key.endsWith(".") || key.contains("..");
    }

    static String emptyPart(String key) {
        return "the key '" + ClientText.shown(key) + "' has an empty part (a key is names joined by single dots)";
    }

    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> others = new ArrayList<>();
        new TreeMap<>(env).forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()
                    && !name.equals("MCP_JAVA_OPTS") && !name.equals("MCP_HOME")) {
                String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT)
                        .replace("__", "\u0000").replace('_', '.').replace('\u0000', '-');
                if (ConfigKeys.isTopLevel(key.split("\\.", 2)[0])) {
                    keys.put(key, value);
                } else {
                    others.add(name);
                }
            }
        });
        if (!others.isEmpty()) {
            // the logger only here: the JDK's first System.getLogger opens every JAR of lib/ looking for a logging
            // back end (about 0.1 s); the metrics thread (ServerMetrics.prepareRegistry) does that while this one
            // reads the configuration, which waited for it when the logger was a static field
            System.getLogger(ConfigLoader.class.getName()).log(System.Logger.Level.WARNING,
                    "ignoring environment variable(s) " + String.join(", ", others)
                    + ": not settings of this server (its MCP_* variables name a key under one of "
                    + ConfigKeys.topLevelNames() + ")");
        }
        return keys;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
