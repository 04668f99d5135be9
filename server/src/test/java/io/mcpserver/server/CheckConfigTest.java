package io.mcpserver.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --check-config} prints the effective configuration with every secret masked, and checks plugin sections
 * against the keys the plugins in the plugins directory declare (real JARs).
 */
class CheckConfigTest {

    @Test
    void secretsAreMasked(@TempDir Path dir) throws Exception {
        String stateKey = "c2VjcmV0LXN0YXRlLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1";
        Path file = dir.resolve("mcp.yaml");
        Files.writeString(file, """
                protocol:
                  request-state-key: %s
                transports:
                  tcp:
                    tls:
                      keystore-password: hunter2-keystore
                plugins:
                  demo:
                    api-token: tok-123456
                """.formatted(stateKey));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(new String[]{"--config", file.toString(), "--check-config"}, InputStream.nullInputStream(),
                OutputStream.nullOutputStream(), new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed);
        assertTrue(printed.contains("protocol.request-state-key = ******"), printed);
        assertTrue(printed.contains("transports.tcp.tls.keystore-password = ******"), printed);
        assertTrue(printed.contains("plugins.demo.api-token = ******"), printed);
        for (String secret : new String[]{stateKey, "hunter2-keystore", "tok-123456"}) {
            assertFalse(printed.contains(secret), printed);
        }
    }

    @Test
    void pluginSectionsAreCheckedAgainstTheirPluginsKeysAndDeclaredSecretsMasked(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        io.mcpserver.server.plugins.TestJars.jar(plugins.resolve("vault.jar"), java.util.Map.of("v.Plugin", """
                package v;
                import io.mcpserver.spi.PluginConfigKey;
                public class Plugin implements io.mcpserver.spi.McpPlugin {
                    public String name() { return "vault"; }
                    public java.util.List<PluginConfigKey> configKeys() {
                        return java.util.List.of(
                            PluginConfigKey.builder("pin", PluginConfigKey.Type.STRING).secret(true).build(),
                            PluginConfigKey.builder("label", PluginConfigKey.Type.STRING).build());
                    }
                    public void init(io.mcpserver.spi.PluginContext c) { throw new IllegalStateException("never called"); }
                }
                """), "v.Plugin", "1");
        Path file = dir.resolve("mcp.yaml");
        Files.writeString(file, "plugins:\n  dir: " + plugins + "\n  vault:\n    pin: 4711-9876\n    label: shown\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(new String[]{"--config", file.toString(), "--check-config"}, InputStream.nullInputStream(),
                OutputStream.nullOutputStream(), new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed);
        assertTrue(printed.contains("plugins.vault.pin = ******"), printed);
        assertTrue(printed.contains("plugins.vault.label = shown"), printed);
        assertFalse(printed.contains("4711-9876"), printed);

        Files.writeString(file, "plugins:\n  dir: " + plugins + "\n  vault:\n    pn: 4711-9876\n");
        java.io.PrintStream err = System.err;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        try {
            exit = Main.run(new String[]{"--config", file.toString(), "--check-config"}, InputStream.nullInputStream(),
                    OutputStream.nullOutputStream(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
        String refused = errors.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, refused);
        assertTrue(refused.contains("plugins.vault.pn: unknown key of plugin vault; did you mean plugins.vault.pin?"),
                refused);
    }
}
