package io.mcpserver.bench.loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second, independent HTTP load generator: wrk (C, epoll, one thread) with bench/wrk/mcp-call.lua, all its
 * connections on one MCP session. Run next to the Java generator's cells to show that generator isn't what
 * limits the numbers. Only when {@code wrk} is on the PATH (Debian: apt-get install -y wrk).
 */
final class WrkCheck {

    private static final Pattern RESULT = Pattern.compile(
            "WRK_RESULT requests=(\\d+) seconds=([0-9.]+) p50_us=(\\d+) p90_us=(\\d+) p99_us=(\\d+) bad=(\\d+) socket_errors=(\\d+)");

    private WrkCheck() {
    }

    static boolean available() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static Recorder.Summary run(Bench b, ServerProc server, HttpConn.Flavor flavor, String text, int c, double seconds)
            throws Exception {
        String session = "-";
        if (flavor.mcp) {
            try (HttpConn conn = new HttpConn(server.host("http"), server.port("http"), null)) {
                session = HttpLoad.openSession(conn, "/mcp", flavor);
            }
        }
        Path textFile = b.work.resolve("wrk-text-" + text.length() + ".txt");
        if (!Files.exists(textFile)) {
            Files.writeString(textFile, text);
        }
        List<String> cmd = new ArrayList<>();
        if (b.pin) {
            cmd.addAll(List.of("taskset", "-c", "0"));
        }
        cmd.addAll(List.of("wrk", "-t1", "-c" + c, "-d" + Math.max(1, Math.round(seconds)) + "s", "--latency",
                "-s", b.benchDir.resolve("wrk/mcp-call.lua").toString(),
                "http://" + server.endpoints.get("http") + "/mcp", "--", session,
                flavor == HttpConn.Flavor.SSE ? "sse" : "json", textFile.toString()));
        String out = Machine.run(cmd);
        Matcher m = RESULT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk: " + out.strip());
        }
        long requests = Long.parseLong(m.group(1));
        long bad = Long.parseLong(m.group(6)) + Long.parseLong(m.group(7));
        // wrk counts over its own duration; the row's rate is requests/seconds like every other row
        double secs = Double.parseDouble(m.group(2));
        return new Recorder.Summary((long) (requests * (Math.round(seconds) / secs)), bad, Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Double.NaN, Double.NaN, Double.NaN);
    }
}
