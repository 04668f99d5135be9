package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/mcp-server --new-plugin DIR} writes a plugin project that builds, tests and loads as written: the
 * distribution writes it, Maven builds it (its own tests run in the test kit) against the distribution's
 * {@code sdk/repository} only, and the distribution then loads its JAR and answers a client with its tool.
 */
class NewPluginIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aWrittenPluginProjectBuildsTestsAndLoads() throws Exception {
        Path work = Files.createTempDirectory(TestEnv.workRoot(), "new-plugin-");
        Path project = work.resolve("Weather Report");

        ServerProcess.Result written = ServerProcess.builder().name("new-plugin")
                .args("--new-plugin", project.toString()).run(TIMEOUT);
        assertEquals(0, written.exitCode(), written.stderr());
        assertTrue(written.stdout().contains("Wrote the plugin project 'weather-report'"), written.stdout());
        assertTrue(Files.isRegularFile(project.resolve("pom.xml")), written.stdout());

        ServerProcess.Result again = ServerProcess.builder().name("new-plugin-again")
                .args("--new-plugin", project.toString()).run(TIMEOUT);
        assertEquals(2, again.exitCode(), "a directory that is not empty is refused: " + again.stdout());
        assertTrue(again.stderr().contains("is not an empty directory"), again.stderr());

        // An empty local repository, as on a machine that never built this server: the API and the kit can only
        // come from the distribution's sdk/repository, which the project names (a local repository behind it
        // could hold an older build of them); Maven's own plugins and JUnit come from the usual remote.
        Path repository = work.resolve("repository");
        Path log = work.resolve("build.log");
        Process build = new ProcessBuilder(TestEnv.projectRoot().resolve("mvnw").toString(), "-B", "--no-transfer-progress",
                "-f", project.resolve("pom.xml").toString(), "-Dmaven.repo.local=" + repository, "package")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(build.waitFor(5, TimeUnit.MINUTES), "the build did not finish in 5 minutes");
        String output = Files.readString(log);
        assertEquals(0, build.exitValue(), output);
        assertTrue(output.contains("Tests run: 2, Failures: 0, Errors: 0"), "the project's own tests ran: " + output);

        String kit = "io/mcpserver/mcp-plugin-testkit/" + TestEnv.projectVersion() + "/mcp-plugin-testkit-"
                + TestEnv.projectVersion() + ".jar";
        assertArrayEquals(Files.readAllBytes(TestEnv.distHome().resolve("sdk/repository").resolve(kit)),
                Files.readAllBytes(repository.resolve(kit)), "the test kit came from the distribution's sdk/repository");

        Path jar = project.resolve("target/weather-report-plugin-1.0.0.jar");
        try (ServerProcess server = ServerProcess.builder().name("new-plugin-loaded").pluginJar(jar)
                .stdio().tcp(false).http(false).start();
             JsonRpcPeer client = JsonRpcPeer.stdio(server)) {
            client.initialize();
            assertTrue(server.stderr().contains("Loading plugin weather-report 1.0.0 from"), server.stderr());
            List<String> tools = new ArrayList<>();
            client.request("tools/list", Map.of()).path("result").path("tools")
                    .forEach(t -> tools.add(t.path("name").asText()));
            assertEquals(List.of("weather_report_greet"), tools);
            JsonNode result = client.request("tools/call", Map.of("name", "weather_report_greet",
                    "arguments", Map.of("name", "Ada"))).path("result");
            assertFalse(result.path("isError").asBoolean(), result.toString());
            assertEquals("Hello, Ada!", result.path("structuredContent").path("text").asText(), result.toString());
        }
    }
}
