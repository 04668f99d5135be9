package io.mcpserver.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's class-data archive (issue 14): the first start of an install writes it under cds/, later starts
 * map it, and a corrupt or foreign archive or an install where cds/ cannot be written still starts, silently,
 * with nothing but JSON on stdout. Each test works on its own copy of the distribution.
 */
class ClassDataArchiveIT {

    private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

    @Test
    void theFirstStartWritesTheArchiveLaterStartsMapItAndABadOneIsIgnored(@TempDir Path dir) throws Exception {
        Path home = copyOfTheDistribution(dir);

        Start first = start(home, dir);
        assertTrue(first.stderr.contains("writing a class-data archive to " + home.resolve("cds")), first.stderr);
        assertFalse(first.mapped, "no archive to map on the first start");

        Start second = start(home, dir);
        Path archive = archive(home);
        assertTrue(second.mapped, "the second start maps " + archive + "\n" + second.stderr);
        assertFalse(second.stderr.contains("writing a class-data archive"), second.stderr);
        if (archive.getFileName().toString().endsWith(".aot")) {
            // JDK 25+: the training run's profiles are not replayed at start-up (their compilations slowed it)
            assertTrue(second.jvmOptions.contains("-XX:-AOTReplayTraining"), second.jvmOptions.toString());
            assertFalse(first.jvmOptions.contains("-XX:-AOTReplayTraining"), "the training run records as usual");
        }

        // corrupt: the right name, the wrong bytes
        byte[] good = Files.readAllBytes(archive);
        Files.write(archive, java.util.Arrays.copyOf(good, good.length / 3));
        Start corrupt = start(home, dir);
        assertFalse(corrupt.mapped, "a corrupt archive is not mapped:\n" + corrupt.stderr);
        assertSilent(corrupt);
        // foreign: a sound archive of this very JDK, but for another class path (one JAR, java -version)
        String ext = archive.getFileName().toString().endsWith(".aot") ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=";
        Path foreign = dir.resolve("foreign." + (ext.contains("AOT") ? "aot" : "jsa"));
        Process train = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), ext + foreign,
                "-cp", home.resolve("lib/" + jarOf(home)).toString(), "-version").redirectErrorStream(true)
                .redirectOutput(dir.resolve("foreign.log").toFile()).start();
        assertTrue(train.waitFor(5, TimeUnit.MINUTES));
        assertTrue(Files.size(foreign) > 0, Files.readString(dir.resolve("foreign.log")));
        Files.copy(foreign, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // the JVM checks the class path itself and may still use the JDK's part of it: it starts, silently
        assertSilent(start(home, dir));
    }

    private static String jarOf(Path home) throws IOException {
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            return jars.map(j -> j.getFileName().toString()).filter(n -> n.startsWith("snakeyaml")).findFirst().orElseThrow();
        }
    }

    @Test
    void anInstallWhereCdsCannotBeWrittenStartsWithoutAnArchive(@TempDir Path dir) throws Exception {
        Path home = copyOfTheDistribution(dir);
        // root may write anywhere: a file where the directory would go stops it as a read-only install would
        Files.writeString(home.resolve("cds"), "not a directory");
        assertTrue(home.toFile().setWritable(false, false));
        try {
            Start start = start(home, dir);
            assertFalse(start.mapped);
            assertFalse(start.stderr.contains("writing a class-data archive"), start.stderr);
            assertTrue(Files.isRegularFile(home.resolve("cds")));
        } finally {
            assertTrue(home.toFile().setWritable(true, false));
        }
    }

    @Test
    void classDataOffStartsWithoutWritingOne(@TempDir Path dir) throws Exception {
        Path home = copyOfTheDistribution(dir);
        Start start = start(home, dir, "MCP_CLASS_DATA", "off");
        assertFalse(start.mapped);
        assertFalse(Files.exists(home.resolve("cds")), "MCP_CLASS_DATA=off writes nothing");
    }

    private static void assertSilent(Start start) {
        assertFalse(start.stderr.contains("[warning]"), "silent:\n" + start.stderr);
        assertFalse(start.stderr.contains("[error]"), "silent:\n" + start.stderr);
    }

    /** What one start did: whether the JVM mapped a file of cds/, its command line, and its stderr. */
    private record Start(boolean mapped, List<String> jvmOptions, String stderr) {
    }

    /**
     * Starts the server on stdio (no network transport), waits until it is ready, reads its memory map, asks
     * ping, then closes stdin: it stops, and a first start writes its archive before the process ends. Its
     * stdout must be the ping's reply and nothing else.
     */
    private static Start start(Path home, Path dir, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/mcp-server").toString(), "--stdio");
        pb.environment().keySet().removeIf(name -> name.startsWith("MCP_") || name.contains("JAVA_OPTS"));
        pb.environment().put("MCP_PLUGINS_DATA__DIR", dir.resolve("data").toString());
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process process = pb.start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        try (OutputStream in = process.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            in.write((PING + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String reply = out.readLine(); // the server answers once it is ready
            assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", reply, "stdout holds JSON only");
            boolean mapped = Files.readAllLines(Path.of("/proc/" + process.pid() + "/maps")).stream()
                    .anyMatch(line -> line.contains(home.resolve("cds") + "/"));
            List<String> jvmOptions = List.of(Files.readString(Path.of("/proc/" + process.pid() + "/cmdline"))
                    .split("\0"));
            in.close();
            String rest = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), "stopped");
            String log = stderr.get(1, TimeUnit.MINUTES);
            assertEquals("", rest, "nothing but the reply on stdout; stderr:\n" + log);
            assertEquals(0, process.exitValue(), log);
            return new Start(mapped, jvmOptions, log);
        } finally {
            process.destroyForcibly();
        }
    }

    private static Path archive(Path home) throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("cds"))) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().matches("mcp-server-[0-9a-f]+\\.(aot|jsa)")).toList();
            assertEquals(1, archives.size(), "one archive: " + archives);
            return archives.get(0);
        }
    }

    /** The built distribution without its cds/ (the build's own first start wrote one there). */
    private static Path copyOfTheDistribution(Path dir) throws Exception {
        Path home = dir.resolve("mcp-server");
        Process cp = new ProcessBuilder("cp", "-r", TestEnv.distHome().toString(), home.toString()).inheritIO().start();
        assertTrue(cp.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, cp.exitValue());
        new ProcessBuilder("rm", "-rf", home.resolve("cds").toString(), home.resolve("logs").toString(),
                home.resolve("data").toString()).start().waitFor();
        return home;
    }
}
