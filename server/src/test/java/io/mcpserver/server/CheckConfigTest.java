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

/** {@code --check-config} prints the effective configuration with every secret masked. */
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
}
