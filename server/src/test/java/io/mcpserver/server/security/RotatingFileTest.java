package io.mcpserver.server.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RotatingFileTest {

    @TempDir
    Path dir;

    @Test
    void rotatesBySizeAndKeepsTheConfiguredNumberOfFiles() throws Exception {
        Path log = dir.resolve("nested/audit.log");
        RotatingFile file = new RotatingFile(log, 25, 2);
        for (int i = 1; i <= 7; i++) {
            file.write("line-" + i + "-abcdefgh"); // 16 bytes with the newline: one line per file
        }
        file.close();
        assertEquals(List.of("line-7-abcdefgh"), Files.readAllLines(log));
        assertEquals(List.of("line-6-abcdefgh"), Files.readAllLines(dir.resolve("nested/audit.log.1")));
        assertEquals(List.of("line-5-abcdefgh"), Files.readAllLines(dir.resolve("nested/audit.log.2")));
        assertFalse(Files.exists(dir.resolve("nested/audit.log.3")), "only max-files old files are kept");
    }

    @Test
    void appendsToAnExistingFile() throws Exception {
        Path log = dir.resolve("audit.log");
        Files.writeString(log, "old\n");
        RotatingFile file = new RotatingFile(log, 1 << 20, 2);
        file.write("new");
        file.close();
        assertEquals(List.of("old", "new"), Files.readAllLines(log));
        assertTrue(Files.notExists(dir.resolve("audit.log.1")));
    }
}
