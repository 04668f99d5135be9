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

    Startup(Bench b) {
        this.b = b;
    }

    Map<String, Object> run(int runs) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
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
     * Startup as shipped: {@code bin/mcp-server} in an install directory of its own (a copy of the launcher, the
     * server's lib/ and the bundled plugins), which writes its class-data archive under cds/ on the first start and
     * uses it on later ones. The first start (no archive yet), then later starts with the archive and with
     * MCP_CLASS_DATA=off alternating, so that the ratio comes from one run on one machine load.
     */
    private Map<String, Object> launcher(int runs) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        Path home = b.work.resolve("ours-launcher");
        Machine.run(List.of("rm", "-rf", home.toString()));
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
        String javaHome = Path.of(b.java).toAbsolutePath().getParent().getParent().toString();
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        for (int i = -1; i < 2 * runs; i++) {
            boolean off = i >= 0 && i % 2 == 1;
            String kind = i < 0 ? "first" : off ? "off" : "archive";
            List<String> cmd = new ArrayList<>(List.of("env", "JAVA_HOME=" + javaHome, "JAVA_OPTS=", "MCP_JAVA_OPTS=",
                    "MCP_CLASS_DATA=" + (off ? "off" : "auto"), home.resolve("bin/mcp-server").toString(),
                    "--config", conf.toString(), "--http-port", Integer.toString(freePort())));
            ServerProc p = ServerProc.start("ours-launcher", cmd, b.work.resolve("logs/startup-launcher-" + kind + "-" + i + ".log"),
                    false, b.cpusServer());
            try {
                p.awaitReady(60_000);
                double ms = (p.readyNanos - p.startNanos) / 1e6;
                if (i < 0) {
                    r.put("first_start_to_ready_log_ms", Double.parseDouble(String.format(Locale.ROOT, "%.1f", ms)));
                    long stop = System.nanoTime();
                    p.process.destroy(); // the archive is written as the JVM exits: give it the time it takes
                    p.process.waitFor(180, java.util.concurrent.TimeUnit.SECONDS);
                    r.put("first_stop_writing_archive_ms", Math.round((System.nanoTime() - stop) / 1e6));
                } else {
                    (off ? without : with).add(Math.round(ms * 10) / 10.0);
                }
            } finally {
                p.close();
            }
        }
        try (var files = java.nio.file.Files.list(home.resolve("cds"))) {
            r.put("archive", files.map(f -> f.getFileName().toString()).sorted().toList());
        } catch (IOException e) {
            r.put("archive", "none: " + e.getMessage());
        }
        r.put("with_archive_to_ready_log_ms_median", median(with));
        r.put("with_archive_runs", with);
        r.put("without_archive_to_ready_log_ms_median", median(without));
        r.put("without_archive_runs", without);
        r.put("with_over_without", Double.parseDouble(String.format(Locale.ROOT, "%.2f", median(with) / median(without))));
        r.put("loadavg1", Machine.loadavg1());
        Bench.log("startup through bin/mcp-server: " + r);
        return r;
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
