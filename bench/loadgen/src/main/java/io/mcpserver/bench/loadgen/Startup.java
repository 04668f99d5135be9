package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Time from process start (just before fork) to ready, and idle memory, for fresh processes with the JVM
 * defaults a user gets (no -Xms/-Xmx). Ours: to the {@code MCP server ready} log line, and to the first 200
 * from GET /ready when the HTTP transport serves it. The SDK and the limit: to their READY line.
 */
final class Startup {

    private final Bench b;
    private final double settleBelow;

    Startup(Bench b) {
        this.b = b;
        this.settleBelow = Double.parseDouble(b.opts.getOrDefault("startup-settle", "0"));
    }

    Map<String, Object> run(int runs) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        if (b.opts.containsKey("startup-launcher-only")) { // the shipped launcher alone (issue 14 item 5)
            result.put("launcher", launcher(runs));
            Bench.log("startup: " + result);
            return result;
        }
        Path home = b.oursHome();
        boolean http = true; // falls back to no network transport if HTTP does not start yet
        List<Double> logMs = new ArrayList<>();
        List<Double> readyMs = new ArrayList<>();
        List<Double> rssMb = new ArrayList<>();
        List<Double> heapMb = new ArrayList<>();
        String readyNote = null;
        for (int i = 0; i < runs; i++) {
            int port = freePort();
            boolean withHttp = http && readyNote == null;
            List<String> cmd = b.oursCommand(home, false, withHttp, false, List.of(b.java));
            if (withHttp) {
                cmd.addAll(List.of("--http-port", Integer.toString(port)));
            }
            Bench.log("startup run " + (i + 1) + ": " + String.join(" ", cmd));
            ServerProc p = ServerProc.start("ours", cmd, b.work.resolve("logs/startup-ours-" + i + ".log"), false, b.cpusServer());
            try {
                double toReady = withHttp ? pollReady(p, port) : Double.NaN;
                try {
                    p.awaitReady(30_000);
                } catch (IOException e) {
                    if (withHttp) { // the HTTP transport isn't there yet: measure without it
                        readyNote = "the HTTP transport did not start (" + e.getMessage().lines().filter(l -> l.contains("cannot start"))
                                .findFirst().orElse("see logs").trim() + "); measured with no network transport";
                        p.close();
                        i--;
                        continue;
                    }
                    throw e;
                }
                logMs.add((p.readyNanos - p.startNanos) / 1e6);
                if (!Double.isNaN(toReady) && toReady >= 0) {
                    readyMs.add(toReady);
                } else if (withHttp && readyNote == null) {
                    readyNote = "GET /ready never answered 200: measured to the log line only";
                }
                Thread.sleep(b.mode.equals("smoke") ? 500 : 3000);
                rssMb.add(p.rssKb() / 1024.0);
                heapMb.add(p.heapUsedAfterGcKb(b.jcmd) / 1024.0);
            } finally {
                p.close();
            }
        }
        result.put("ours_to_ready_log_ms_median", median(logMs));
        result.put("launcher", launcher(runs));
        if (!b.mode.equals("smoke")) {
            // what class-data sharing would give the launcher: a dynamic AppCDS archive (JDK 19+), and JDK 25's
            // AOT cache (JEP 483/514); each written by one training run that is not counted
            result.put("ours_appcds", variant(home, runs, "appcds",
                    List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + b.work.resolve("ours.jsa")),
                    List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + b.work.resolve("ours.jsa"))));
            result.put("ours_aot_cache", variant(home, runs, "aot",
                    List.of("-XX:AOTCacheOutput=" + b.work.resolve("ours.aot")),
                    List.of("-XX:AOTCache=" + b.work.resolve("ours.aot"))));
            try {
                java.nio.file.Files.deleteIfExists(b.work.resolve("ours.jsa"));
                java.nio.file.Files.deleteIfExists(b.work.resolve("ours.aot"));
            } catch (IOException ignored) {
                // left behind
            }
        }
        result.put("ours_to_ready_log_ms_runs", logMs);
        result.put("ours_to_get_ready_200_ms_median", readyMs.isEmpty() ? null : median(readyMs));
        result.put("ours_to_get_ready_200_ms_runs", readyMs);
        result.put("ours_idle_rss_mb_median", median(rssMb));
        result.put("ours_idle_heap_after_gc_mb_median", median(heapMb));
        if (readyNote != null) {
            result.put("note", readyNote);
        }
        // the others, for context
        List<String> servers = Results.list(b.opt("servers", "ours,sdk,limit", "ours,sdk,limit", "ours,sdk,limit"));
        for (String name : b.mode.equals("smoke") ? List.<String>of()
                : List.of("sdk", "limit").stream().filter(servers::contains).toList()) {
            List<Double> ms = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            for (int i = 0; i < Math.min(runs, 3); i++) {
                List<String> cmd = name.equals("sdk") ? b.sdkCommand(List.of(b.java)) : b.limitCommand(List.of(b.java));
                ServerProc p = ServerProc.start(name, cmd, b.work.resolve("logs/startup-" + name + "-" + i + ".log"), false, b.cpusServer());
                try {
                    p.awaitReady(30_000);
                    ms.add((p.readyNanos - p.startNanos) / 1e6);
                    Thread.sleep(3000);
                    rss.add(p.rssKb() / 1024.0);
                } finally {
                    p.close();
                }
            }
            result.put(name + "_to_ready_line_ms_median", median(ms));
            result.put(name + "_idle_rss_mb_median", median(rss));
        }
        Bench.log("startup: " + result);
        return result;
    }

    /**
     * Startup as shipped: {@code bin/mcp-server} in an install directory of its own, which writes its class-data
     * archive under cds/ on the first start and uses it on later ones. The install is a copy of the distribution
     * {@code --launcher-dist DIR} names (its launcher, lib/, the bundled plugins and conf/ with its defaults; TCP and
     * HTTP on free ports), or by default of the repository's launcher with the bench's lib/, plugins and
     * configuration. {@code --launcher-baseline DIR}: another distribution (the previous build) measured the same way
     * in the same minutes, its runs interleaved with ours, so that the ratio does not depend on the machine's load.
     *
     * <p>Ready is what a client needs: the answer to its first {@code tools/list} (after {@code initialize} and
     * {@code notifications/initialized} on one connection, sending what real clients send), polled from the fork on;
     * the {@code MCP server ready} log line is kept beside it. First the first start of each install (no archive
     * yet; its exit, timed, writes one), then per round later starts with the archive and with MCP_CLASS_DATA=off.
     */
    private Map<String, Object> launcher(int runs) throws Exception {
        List<Install> installs = new ArrayList<>();
        installs.add(install("ours", b.opts.get("launcher-dist")));
        if (b.opts.containsKey("launcher-baseline")) {
            installs.add(install("baseline", b.opts.get("launcher-baseline")));
        }
        double loadBefore = Machine.loadavg1();
        for (Install in : installs) {
            Start first = start(in, "first", false);
            in.r.put("first_start_to_tools_list_ms", round(first.toolsListMs));
            in.r.put("first_start_to_ready_log_ms", round(first.logMs));
            in.r.put("first_stop_writing_archive_ms", first.stopMs);
        }
        for (int i = 0; i < runs; i++) {
            for (Install in : installs) {
                for (boolean off : new boolean[]{false, true}) {
                    (off ? in.loadsWithout : in.loadsWith).add(settle());
                    Start s = start(in, (off ? "off-" : "archive-") + i, off);
                    (off ? in.withoutList : in.withList).add(round(s.toolsListMs));
                    (off ? in.withoutLog : in.withLog).add(round(s.logMs));
                }
            }
        }
        Map<String, Object> r = null;
        for (Install in : installs) {
            try (var files = java.nio.file.Files.list(in.home.resolve("cds"))) {
                in.r.put("archive", files.map(f -> f.getFileName().toString()).sorted().toList());
            } catch (IOException e) {
                in.r.put("archive", "none: " + e.getMessage());
            }
            if (settleBelow > 0) {
                in.r.put("with_archive_loadavg1_before_runs", in.loadsWith);
                in.r.put("without_archive_loadavg1_before_runs", in.loadsWithout);
            }
            in.r.put("with_archive_to_tools_list_ms_median", median(in.withList));
            in.r.put("with_archive_to_tools_list_runs", in.withList);
            in.r.put("without_archive_to_tools_list_ms_median", median(in.withoutList));
            in.r.put("without_archive_to_tools_list_runs", in.withoutList);
            in.r.put("with_archive_to_ready_log_ms_median", median(in.withLog));
            in.r.put("with_archive_runs", in.withLog);
            in.r.put("without_archive_to_ready_log_ms_median", median(in.withoutLog));
            in.r.put("without_archive_runs", in.withoutLog);
            in.r.put("with_over_without", Double.parseDouble(String.format(Locale.ROOT, "%.2f",
                    median(in.withList) / median(in.withoutList))));
            if (r == null) {
                r = in.r;
            } else {
                r.put(in.name, in.r);
                r.put("ours_over_" + in.name + "_with_archive", Double.parseDouble(String.format(Locale.ROOT, "%.2f",
                        median(installs.getFirst().withList) / median(in.withList))));
                r.put("ours_over_" + in.name + "_without_archive", Double.parseDouble(String.format(Locale.ROOT, "%.2f",
                        median(installs.getFirst().withoutList) / median(in.withoutList))));
                r.put("ours_over_" + in.name + "_first_start", Double.parseDouble(String.format(Locale.ROOT, "%.2f",
                        (double) installs.getFirst().r.get("first_start_to_tools_list_ms")
                                / (double) in.r.get("first_start_to_tools_list_ms"))));
            }
        }
        r.put("ready", "fork to the answer of the first tools/list (initialize, notifications/initialized, tools/list on "
                + "one connection, Accept: application/json, text/event-stream)");
        if (settleBelow > 0) {
            r.put("settle", "before each later start, waited (at most " + SETTLE_MAX_SECONDS + " s) for loadavg1 < "
                    + settleBelow);
        }
        r.put("loadavg1_before", loadBefore);
        r.put("loadavg1", Machine.loadavg1());
        Bench.log("startup through bin/mcp-server: " + r);
        return r;
    }

    /** One install of the launcher, and what was measured on it. */
    private static final class Install {
        final String name;
        final Path home;
        final Path conf;
        final boolean defaults;
        final Map<String, Object> r = new LinkedHashMap<>();
        final List<Double> withList = new ArrayList<>();
        final List<Double> withoutList = new ArrayList<>();
        final List<Double> withLog = new ArrayList<>();
        final List<Double> withoutLog = new ArrayList<>();
        final List<Double> loadsWith = new ArrayList<>();
        final List<Double> loadsWithout = new ArrayList<>();

        Install(String name, Path home, Path conf, boolean defaults) {
            this.name = name;
            this.home = home;
            this.conf = conf;
            this.defaults = defaults;
        }
    }

    /** A fresh install directory (no cds/ yet) from a distribution, or from the bench's build when {@code dist} is null. */
    private Install install(String name, String dist) throws Exception {
        Path home = b.work.resolve("launcher-" + name);
        Machine.run(List.of("rm", "-rf", home.toString()));
        java.nio.file.Files.createDirectories(home);
        if (dist != null) {
            Path from = Path.of(dist).toAbsolutePath();
            for (String d : List.of("bin", "lib", "plugins", "conf")) {
                Machine.run(List.of("cp", "-r", from.resolve(d).toString(), home.resolve(d).toString()));
            }
            Machine.run(List.of("rm", "-rf", home.resolve("cds").toString()));
            return new Install(name, home, home.resolve("conf/mcp-server.yaml"), true);
        }
        java.nio.file.Files.createDirectories(home.resolve("bin"));
        java.nio.file.Files.createDirectories(home.resolve("conf"));
        Path root = b.benchDir.getParent();
        for (String f : List.of("mcp-server", "find-jdk")) {
            java.nio.file.Files.copy(root.resolve("dist/bin/" + f), home.resolve("bin/" + f));
        }
        Machine.run(List.of("cp", "-r", b.benchDir.resolve("ours/target/lib").toString(), home.resolve("lib").toString()));
        Machine.run(List.of("cp", "-r", b.benchDir.resolve("ours/target/plugins").toString(), home.resolve("plugins").toString()));
        Path conf = home.resolve("conf/mcp-server.yaml");
        java.nio.file.Files.writeString(conf, java.nio.file.Files.readString(b.oursHome().resolve("conf/mcp-server.yaml"))
                .replace("${TCP}", "false").replace("${HTTP}", "true")
                .replace(b.benchDir.resolve("ours/target/plugins").toString(), home.resolve("plugins").toString()));
        return new Install(name, home, conf, false);
    }

    private static final int SETTLE_MAX_SECONDS = 180;

    /**
     * {@code --startup-settle L}: waits until the 1-minute load average is below L before a start, so that each start
     * is measured on a quiet machine (issue 14 asks for load &lt; 1 before each cell) and the previous start's compiler
     * threads, or the other install's, are not in the figure. Returns the load average the start began at.
     */
    private double settle() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_MAX_SECONDS * 1_000_000_000L;
        while (settleBelow > 0 && Machine.loadavg1() >= settleBelow && System.nanoTime() < deadline) {
            Thread.sleep(1000); // the kernel updates the load average every 5 s
        }
        return Machine.loadavg1();
    }

    /** What one start measured: ms from the fork to the first tools/list answer and to the ready line. */
    private record Start(double toolsListMs, double logMs, long stopMs) {
    }

    private Start start(Install in, String kind, boolean off) throws Exception {
        String javaHome = Path.of(b.java).toAbsolutePath().getParent().getParent().toString();
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of("env", "JAVA_HOME=" + javaHome, "JAVA_OPTS=", "MCP_JAVA_OPTS=",
                "MCP_CLASS_DATA=" + (off ? "off" : "auto"), in.home.resolve("bin/mcp-server").toString(),
                "--config", in.conf.toString(), "--http-port", Integer.toString(port)));
        if (in.defaults) { // TCP is on by default: on a free port, not 9000
            cmd.addAll(List.of("--tcp-port", Integer.toString(freePort())));
        }
        ServerProc p = ServerProc.start("launcher-" + in.name, cmd,
                b.work.resolve("logs/startup-launcher-" + in.name + "-" + kind + ".log"), false, b.cpusServer());
        try {
            java.util.concurrent.CompletableFuture<Double> toolsList = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return firstToolsList(p, port);
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            p.awaitReady(120_000);
            double logMs = (p.readyNanos - p.startNanos) / 1e6;
            double listMs = toolsList.get(120, java.util.concurrent.TimeUnit.SECONDS);
            long stopMs = -1;
            if (kind.equals("first")) {
                long stop = System.nanoTime();
                p.process.destroy(); // the archive is written as the JVM exits: give it the time it takes
                p.process.waitFor(180, java.util.concurrent.TimeUnit.SECONDS);
                stopMs = Math.round((System.nanoTime() - stop) / 1e6);
            }
            return new Start(listMs, logMs, stopMs);
        } finally {
            p.close();
        }
    }

    /**
     * Ms from the fork to the answer of a first tools/list that lists the bundled demo plugin's echo: connects
     * every ms until the listener accepts, then initialize, notifications/initialized and tools/list on that
     * connection, as a client that was started beside the server does.
     */
    private static double firstToolsList(ServerProc p, int port) throws Exception {
        long deadline = p.startNanos + 120_000_000_000L;
        byte[] list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int dropped = 0;
        String last = null;
        while (System.nanoTime() < deadline && p.process.isAlive()) {
            HttpConn c;
            try {
                c = new HttpConn("127.0.0.1", port, null);
            } catch (IOException e) { // not listening yet
                Thread.sleep(1);
                continue;
            }
            try (c) {
                String session = HttpLoad.openSession(c, "/mcp", HttpConn.Flavor.SSE);
                HttpConn.Response r = c.post("/mcp", list, session, HttpConn.Flavor.SSE, null);
                String json = r.json();
                if (r.status == 200 && json != null && json.contains("\"name\":\"echo\"")) {
                    if (dropped > 0) {
                        Bench.log("startup: " + dropped + " connection(s) dropped before the first answer (" + last + ")");
                    }
                    return (System.nanoTime() - p.startNanos) / 1e6;
                }
                throw new IllegalStateException("tools/list: HTTP " + r.status + " " + r.bodyText());
            } catch (IOException e) { // accepted, then reset while the listener came up: a client would try again
                dropped++;
                last = e.toString();
                Thread.sleep(1);
            }
        }
        throw new IOException("no answer to tools/list within 120 s of the fork" + (last == null ? "" : "; last: " + last));
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }

    /** Median ms to the ready line with extra JVM options, after one training run with {@code train}. */
    private Object variant(Path home, int runs, String name, List<String> train, List<String> use) {
        try {
            List<String> t = new ArrayList<>(List.of(b.java));
            t.addAll(train);
            ServerProc p = ServerProc.start("ours-" + name, b.oursCommand(home, false, true, false, t),
                    b.work.resolve("logs/startup-" + name + "-train.log"), false, b.cpusServer());
            try {
                p.awaitReady(30_000);
                Thread.sleep(1000);
            } finally {
                p.close(); // SIGTERM: the archive is written as the JVM exits
            }
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                List<String> u = new ArrayList<>(List.of(b.java));
                u.addAll(use);
                ServerProc q = ServerProc.start("ours-" + name, b.oursCommand(home, false, true, false, u),
                        b.work.resolve("logs/startup-" + name + "-" + i + ".log"), false, b.cpusServer());
                try {
                    q.awaitReady(30_000);
                    ms.add((q.readyNanos - q.startNanos) / 1e6);
                } finally {
                    q.close();
                }
            }
            return Map.of("to_ready_log_ms_median", median(ms), "options", String.join(" ", use));
        } catch (Exception e) {
            return "failed: " + e.getMessage();
        }
    }

    /** Polls GET /ready from the moment the process was forked; ms to the first 200, or -1 after 30 s. */
    private static double pollReady(ServerProc p, int port) throws InterruptedException {
        long deadline = p.startNanos + 30_000_000_000L;
        while (System.nanoTime() < deadline && p.process.isAlive()) {
            try (HttpConn c = new HttpConn("127.0.0.1", port, null)) {
                int status = c.get("/ready");
                if (status == 200) {
                    return (System.nanoTime() - p.startNanos) / 1e6;
                }
                if (status == 404) {
                    return -1;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(1);
        }
        return -1;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = v.stream().sorted().toList();
        double m = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        return Double.parseDouble(String.format(Locale.ROOT, "%.1f", m));
    }
}
