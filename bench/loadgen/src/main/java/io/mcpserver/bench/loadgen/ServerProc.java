package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server process started by the bench: its log, its ready line, its endpoints, and its CPU and memory. */
final class ServerProc implements AutoCloseable {

    /** Our ready line, and the comparison servers'. */
    static final Pattern READY = Pattern.compile("(?:MCP server ready:|^READY) ?(.*)$", Pattern.MULTILINE);

    final String name;
    final Process process;
    final Path log;
    final long startNanos;
    long readyNanos;
    final Map<String, String> endpoints = new LinkedHashMap<>();

    private ServerProc(String name, Process process, Path log, long startNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startNanos = startNanos;
    }

    /**
     * Starts a server. With {@code stdio}, stdin/stdout are the protocol and only stderr goes to the log;
     * otherwise both go to the log. {@code cpus} (e.g. "1") pins it with taskset.
     */
    static ServerProc start(String name, List<String> command, Path log, boolean stdio, String cpus) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Files.createDirectories(log.getParent());
        if (stdio) {
            pb.redirectError(log.toFile());
        } else {
            pb.redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        return new ServerProc(name, p, log, t0);
    }

    /** Waits for the ready line; fills {@link #endpoints} from it ("http=127.0.0.1:1234 tcp=..."). */
    ServerProc awaitReady(long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher m = READY.matcher(text);
            if (m.find()) {
                readyNanos = System.nanoTime();
                for (String part : m.group(1).trim().split("\\s+")) {
                    int eq = part.indexOf('=');
                    if (eq > 0) {
                        endpoints.put(part.substring(0, eq), part.substring(eq + 1));
                    }
                }
                return this;
            }
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " before it was ready:\n" + tail(text));
            }
            Thread.sleep(2);
        }
        throw new IOException(name + " not ready after " + timeoutMs + " ms:\n" + tail(Files.readString(log)));
    }

    static String tail(String text) {
        String[] lines = text.split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, lines.length - 15); i < lines.length; i++) {
            sb.append("    | ").append(lines[i]).append('\n');
        }
        return sb.toString();
    }

    String host(String endpoint) {
        String v = endpoints.get(endpoint);
        return v == null ? null : v.substring(0, v.lastIndexOf(':'));
    }

    int port(String endpoint) {
        String v = endpoints.get(endpoint);
        return v == null ? -1 : Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
    }

    long pid() {
        return process.pid();
    }

    InputStream stdout() {
        return process.getInputStream();
    }

    OutputStream stdin() {
        return process.getOutputStream();
    }

    /** User + system CPU time in clock ticks (1/100 s) from /proc/PID/stat. */
    long cpuTicks() {
        return Machine.cpuTicks(pid());
    }

    long rssKb() {
        return Machine.rssKb(pid());
    }

    /** Runs a full GC in the server (jcmd GC.run), then returns the used heap in KB (jcmd GC.heap_info). */
    long heapUsedAfterGcKb(String jcmd) throws IOException, InterruptedException {
        Machine.run(List.of(jcmd, Long.toString(pid()), "GC.run"));
        Thread.sleep(200);
        Machine.run(List.of(jcmd, Long.toString(pid()), "GC.run")); // a second one: G1 may leave some for the next
        String info = Machine.run(List.of(jcmd, Long.toString(pid()), "GC.heap_info"));
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IOException("cannot read the used heap from: " + info);
        }
        return Long.parseLong(m.group(1));
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: the servers shut down cleanly
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
