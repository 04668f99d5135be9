package io.mcpserver.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs a script from {@code dist/src/test/node} on the Node 22 that setup-test-env.sh installed, with
 * that folder as working directory (its {@code node_modules} holds the MCP SDK, the conformance suite,
 * playwright-core). The convention for scripts: print one JSON document as the last line of stdout,
 * diagnostics on stderr, and exit non-zero only when the script itself could not do its job.
 *
 * <pre>{@code
 * NodeScript.Result result = NodeScript.of("stdio-client.mjs")
 *         .server(ServerProcess.builder().stdio().launch())
 *         .timeout(Duration.ofMinutes(2))
 *         .run();
 * JsonNode summary = result.json();
 * }</pre>
 */
public final class NodeScript {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);

    private final String script;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration timeout = DEFAULT_TIMEOUT;

    private NodeScript(String script) {
        this.script = script;
    }

    /** A script by its path relative to {@code dist/src/test/node}, e.g. {@code "stdio-client.mjs"}. */
    public static NodeScript of(String script) {
        return new NodeScript(script);
    }

    public NodeScript args(String... more) {
        args.addAll(List.of(more));
        return this;
    }

    public NodeScript env(String variable, String value) {
        env.put(variable, value);
        return this;
    }

    /**
     * Tells the script how to start the server itself, for clients that spawn it (the SDK's stdio
     * transport): {@code E2E_SERVER_COMMAND} (JSON array), {@code E2E_SERVER_ENV} (JSON object of the
     * extra variables) and {@code E2E_SERVER_CWD}. {@code lib/server-launch.mjs} reads them.
     */
    public NodeScript server(ServerProcess.Launch launch) {
        try {
            env.put("E2E_SERVER_COMMAND", JsonRpcPeer.JSON.writeValueAsString(launch.command()));
            env.put("E2E_SERVER_ENV", JsonRpcPeer.JSON.writeValueAsString(launch.environment()));
            env.put("E2E_SERVER_CWD", launch.workDir().toString());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        return this;
    }

    /** After this the script and everything it started are killed, and {@link Result#timedOut()} is true. */
    public NodeScript timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Runs the script to its end (or the timeout). Its stdout and stderr are also kept in target/e2e/. */
    public Result run() throws IOException, InterruptedException {
        Path scripts = TestEnv.nodeScripts();
        Path file = scripts.resolve(script);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such script: " + file);
        }
        String base = file.getFileName().toString().replaceAll("\\.[cm]?js$", "");
        Path workDir = Files.createTempDirectory(TestEnv.workRoot(), "node-" + base + "-");
        Path stdout = workDir.resolve("stdout.log");
        Path stderr = workDir.resolve("stderr.log");

        List<String> command = new ArrayList<>();
        command.add(TestEnv.node().toString());
        command.add(file.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(scripts.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("MCP_") || name.startsWith("E2E_"));
        // whatever the script starts (bin/mcp-server, chromium…) finds the Node 22 first
        builder.environment().put("PATH", TestEnv.node().getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        TestEnv.chromium().ifPresent(chromium -> builder.environment().put("E2E_CHROMIUM", chromium.toString()));
        builder.environment().putAll(env);

        long started = System.nanoTime();
        Process process = builder.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        return new Result(script, process.exitValue(), read(stdout), read(stderr), !finished, elapsed);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How a script ended. */
    public record Result(String script, int exitCode, String stdout, String stderr, boolean timedOut, Duration elapsed) {

        /** The last line of stdout that parses as JSON: the script's summary. */
        public JsonNode json() {
            String[] lines = stdout.split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String line = lines[i].strip();
                if (line.startsWith("{") || line.startsWith("[")) {
                    try {
                        return JsonRpcPeer.JSON.readTree(line);
                    } catch (JsonProcessingException e) {
                        // not the summary: keep looking upwards
                    }
                }
            }
            throw new AssertionError("no JSON summary on the stdout of " + script + "\n" + this);
        }

        /** Fails with everything the script printed unless it exited 0 in time. */
        public Result assertSuccess() {
            if (timedOut || exitCode != 0) {
                throw new AssertionError(script + (timedOut ? " timed out" : " exited with " + exitCode) + "\n" + this);
            }
            return this;
        }

        @Override
        public String toString() {
            return "--- " + script + " (exit " + exitCode + (timedOut ? ", TIMED OUT" : "") + ", " + elapsed.toMillis() + " ms) stdout ---\n"
                    + stdout + "\n--- stderr ---\n" + stderr + "\n--- end ---";
        }
    }
}
