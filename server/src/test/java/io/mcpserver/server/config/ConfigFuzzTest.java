package io.mcpserver.server.config;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The configuration reader: a YAML file (as an operator or a config-management tool writes it, typos included)
 * through {@link ConfigLoader} and {@link ServerConfig#from}. Property: the result is a configuration or a
 * {@link ConfigException} that says what is wrong; no other exception, no hang (YAML aliases, deep nesting), and
 * the message names something (the server prints it and exits).
 */
class ConfigFuzzTest {

    private static final Path HOME;
    private static final Path FILE;

    static {
        try {
            HOME = Files.createTempDirectory("fuzz-config");
            FILE = HOME.resolve("mcp-server.yaml");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest
    void yaml(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        try {
            ServerConfig.from(ConfigLoader.load(FILE, null, Map.of(), Map.of()), HOME, FILE, "fuzz");
        } catch (ConfigException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a configuration refused without saying why", e);
            }
        }
    }
}
