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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --new-plugin DIR}: what it writes and what it refuses (NewPluginIT builds and loads the result). */
class NewPluginProjectTest {

    @TempDir
    Path work;

    @Test
    void thePluginIsNamedAfterTheDirectory() {
        assertEquals("weather", NewPluginProject.pluginName("weather"));
        assertEquals("weather-report", NewPluginProject.pluginName("Weather Report"));
        assertEquals("csv-query", NewPluginProject.pluginName("csv_query-plugin"));
        assertEquals("2fa", NewPluginProject.pluginName("2FA"));
        assertThrows(IllegalArgumentException.class, () -> NewPluginProject.pluginName("--"));
    }

    @Test
    void writesAProjectWithItsServiceEntryAndTheServersVersion() throws Exception {
        Path dir = work.resolve("2fa-codes");
        NewPluginProject project = NewPluginProject.write(dir, "9.8.7", work);
        assertEquals("P2faCodesPlugin", project.className());
        assertEquals("com.example.p2facodes", project.packageName());
        assertEquals("com.example.p2facodes.P2faCodesPlugin\n",
                Files.readString(dir.resolve("src/main/resources/META-INF/services/io.mcpserver.spi.McpPlugin")));
        String pom = Files.readString(dir.resolve("pom.xml"));
        assertTrue(pom.contains("<mcp.version>9.8.7</mcp.version>"), pom);
        assertFalse(pom.contains("<repositories>"), "no sdk/repository in this home, so none is named: " + pom);
        String plugin = Files.readString(dir.resolve("src/main/java/com/example/p2facodes/P2faCodesPlugin.java"));
        assertTrue(plugin.contains("return \"2fa-codes\";") && plugin.contains("name = \"2fa_codes_greet\""), plugin);
        assertTrue(Files.isRegularFile(dir.resolve("src/test/java/com/example/p2facodes/P2faCodesPluginTest.java")));
    }

    @Test
    void namesTheDistributionsRepositoryWhenThereIsOne() throws Exception {
        Files.createDirectories(work.resolve("sdk/repository"));
        NewPluginProject.write(work.resolve("notes"), "1.0", work);
        assertTrue(Files.readString(work.resolve("notes/pom.xml")).contains(
                "<url>" + work.resolve("sdk/repository").toUri() + "</url>"));
    }

    @Test
    void aDirectoryThatIsNotEmptyIsRefusedAndLeftAlone() throws Exception {
        Path dir = Files.createDirectories(work.resolve("taken"));
        Files.writeString(dir.resolve("keep.txt"), "mine");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(new String[]{"--new-plugin", dir.toString()}, InputStream.nullInputStream(),
                OutputStream.nullOutputStream(), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(2, exit);
        assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }
}
