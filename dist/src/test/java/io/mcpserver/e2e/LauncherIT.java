package io.mcpserver.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What bin/mcp-server promises: the JVM options it passes, the JDK it picks, and that it execs java. */
class LauncherIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void printsTheProjectVersionAndNothingElseOnStdout() throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("launcher-version").args("--version").run(TIMEOUT);
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("mcp-server " + TestEnv.projectVersion(), result.stdout().strip(), "stdout of --version");
    }

    @Test
    void setsHomeAndLoggingAndPassesJavaOpts() throws Exception {
        ServerProcess.Result result = ServerProcess.builder()
                .name("launcher-opts")
                .env("JAVA_OPTS", "-XshowSettings:properties")
                .env("MCP_JAVA_OPTS", "-Dmcp.e2e.marker=from-mcp-java-opts")
                .args("--version")
                .run(TIMEOUT);
        assertEquals(0, result.exitCode(), result.stderr());
        Path home = TestEnv.distHome().toRealPath();
        assertTrue(result.stderr().contains("mcp.home = " + home), "no -Dmcp.home=" + home + ":\n" + result.stderr());
        assertTrue(result.stderr().contains("java.util.logging.config.file = " + home.resolve("conf/logging.properties")),
                "no logging config:\n" + result.stderr());
        assertTrue(result.stderr().contains("mcp.e2e.marker = from-mcp-java-opts"), "MCP_JAVA_OPTS not passed:\n" + result.stderr());
    }

    /**
     * A listener that cannot bind stops the server: exit 1 and one line naming the address, never "ready"
     * without it (HTTP used to log Helidon's stack trace, then the ready line, and run without HTTP).
     */
    @ParameterizedTest
    @ValueSource(strings = {"http", "tcp"})
    void aBusyPortStopsTheServerWithOneClearLine(String transport) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            ServerProcess.Result result = ServerProcess.builder()
                    .name("launcher-busy-" + transport)
                    .tcp(transport.equals("tcp"))
                    .http(transport.equals("http"))
                    .args("--host", "127.0.0.1", "--" + transport + "-port", String.valueOf(port))
                    .run(TIMEOUT);
            assertEquals(1, result.exitCode(), result.stderr());
            assertTrue(result.stderr().contains("mcp-server: cannot start the " + transport
                    + " transport: cannot listen on 127.0.0.1:" + port + " (Address already in use)"), result.stderr());
            assertFalse(result.stderr().contains("MCP server ready"), result.stderr());
            assertFalse(result.stderr().contains("\tat "), "no stack trace:\n" + result.stderr());
            assertFalse(result.stderr().contains("Exception"), "no exception in the log:\n" + result.stderr());
        }
    }

    /** With 10,000 sessions allowed by default, a process limit on open files far below that is said at start. */
    @Test
    void anOpenFileLimitBelowTheDefaultsIsWarnedAbout(@TempDir Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "ulimit -n 2000 && exec \"$0\" --stdio --http-port 0",
                TestEnv.launcher().toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))) // stdin ends: it stops
                .redirectErrorStream(true);
        pb.environment().put("MCP_PLUGINS_DATA__DIR", dir.resolve("data").toString());
        pb.environment().put("MCP_TRANSPORTS_TCP_ENABLED", "false");
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertTrue(output.contains("Open-file limit 2000 is below what transports.tcp.max-connections and "
                + "transports.http.max-sessions allow"), output);
    }

    @Test
    void findsAJdk21WhenJavaHomeIsOlder() throws Exception {
        Path oldJdk = fakeJdk17();
        ServerProcess.Result result = ServerProcess.builder()
                .name("launcher-old-java-home")
                .env("JAVA_HOME", oldJdk.toString())
                .env("PATH", oldJdk.resolve("bin") + ":/usr/bin:/bin")
                .args("--version")
                .run(TIMEOUT);
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().contains(TestEnv.projectVersion()), result.stdout());
        assertFalse(result.stderr().contains("the JDK 17 stand-in was run"), result.stderr());
    }

    /**
     * A JDK 17 as the launcher sees it (a {@code release} file saying 17, a {@code bin/java}), made here so the test
     * never depends on an old JDK being installed: its {@code java} fails loudly if the launcher runs it anyway.
     */
    private static Path fakeJdk17() throws IOException {
        Path jdk = Files.createTempDirectory(TestEnv.workRoot(), "jdk-17-");
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"17.0.2\"\n");
        Path launcherJava = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(launcherJava, "#!/bin/sh\necho 'the JDK 17 stand-in was run' >&2\nexit 1\n");
        Files.setPosixFilePermissions(launcherJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        return jdk;
    }

    /**
     * The documented minimum is JDK 21, so the Maven Wrapper (which the launcher also uses to build a fresh
     * clone) must not pass a JVM option of a newer JDK: .mvn/jvm.config used to hold one that exists only from
     * JDK 23 on. A stand-in JDK 21 (its release file says 21, its java refuses that option as JDK 21 does, and
     * runs the real JDK otherwise) must run it.
     */
    @Test
    void theMavenWrapperRunsOnJdk21(@TempDir Path dir) throws Exception {
        Path jdk = Files.createDirectories(dir.resolve("jdk-21/bin")).getParent();
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"21.0.8\"\n");
        Path java = jdk.resolve("bin/java");
        String realJava = ProcessHandle.current().info().command().orElseThrow();
        Files.writeString(java, """
                #!/bin/sh
                for a in "$@"; do
                  case "$a" in
                    --sun-misc-unsafe-memory-access*) echo "Unrecognized option: $a" >&2
                      echo "Error: Could not create the Java Virtual Machine." >&2; exit 1 ;;
                  esac
                done
                touch "%s"
                exec "%s" "$@"
                """.formatted(dir.resolve("used"), realJava));
        assertTrue(java.toFile().setExecutable(true));
        Path root = TestEnv.nodeScripts().resolve("../../../..").normalize();
        ProcessBuilder mvnw = new ProcessBuilder(root.resolve("mvnw").toString(), "--version")
                .directory(root.toFile()).redirectErrorStream(true);
        mvnw.environment().put("JAVA_HOME", jdk.toString());
        mvnw.environment().put("PATH", jdk.resolve("bin") + ":/usr/bin:/bin");
        mvnw.environment().remove("MAVEN_OPTS");
        Process process = mvnw.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("Apache Maven 3.9"), output);
        assertTrue(Files.exists(dir.resolve("used")), "ran on the stand-in JDK 21: " + output);
    }

    @Test
    void execsJavaSoThatSigtermStopsTheServer() throws Exception {
        ServerProcess server = ServerProcess.builder().name("launcher-sigterm").stdio().tcp(false).http(false).start();
        try {
            String command = server.process().info().command().orElse("");
            assertTrue(command.endsWith("/java"), "the launcher's process should be java itself (exec), is " + command);
            int exit = server.stop(); // SIGTERM, and SIGKILL (exit 137) only if it did not stop within the grace
            assertTrue(exit == 0 || exit == 143, "exit code after SIGTERM: " + exit + "\n" + server.stderr());
        } finally {
            server.close();
        }
    }
}
