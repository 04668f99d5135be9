package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The orchestrator: starts our server, the official SDK's and the plain-Helidon limit side by side (each on a
 * free port), checks each echoes correctly, warms each up, then for every repetition runs every cell of the
 * matrix with the servers back to back (rotating their order), and writes results, medians, ratios and a
 * chart. Then startup time, the idle-connection scale test and JMH, each in fresh processes.
 */
public final class Bench {

    final Map<String, String> opts = new LinkedHashMap<>();
    final Path benchDir;
    final Path out;
    /** Server logs, our server's install home and scratch files: beside the build, not in the results. */
    final Path work;
    final String java;
    final String jcmd;
    final String mode;
    final boolean pin;
    /** JFR profiles of the HTTP hot path and of idle connections (not in smoke runs unless --profile). */
    final boolean profile;
    static final long T0 = System.nanoTime();
    final List<ServerProc> started = new ArrayList<>();
    final List<Results.Row> rows = new ArrayList<>();
    final Map<String, String> unavailable = new LinkedHashMap<>();

    ServerProc ours;
    ServerProc oursStdio;
    LineLoad.Conn stdioConn;
    ServerProc sdk;
    ServerProc limit;
    /** Ours again with {@code cluster.enabled}, on the Redis the bench starts: what clustering costs one node. */
    ServerProc oursCluster;
    /** Ours from another build of the server ({@code --baseline JAR}): before and after a change in one run. */
    ServerProc base;
    RedisProc redis;
    HttpClient wsClient;

    Bench(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            String k = a.substring(2);
            if (Set.of("pin", "no-scale", "no-startup", "no-jmh", "no-profile", "profile", "no-wrk", "no-flood", "no-hooks", "help",
                    "startup-launcher-only").contains(k)) {
                opts.put(k, "true");
            } else {
                opts.put(k, args[++i]);
            }
        }
        mode = opts.getOrDefault("mode", "full");
        benchDir = Path.of(opts.getOrDefault("bench-dir", "bench")).toAbsolutePath();
        out = Path.of(opts.getOrDefault("out", benchDir.resolve("results/" + Instant.now().toString().replace(':', '-')).toString()));
        work = benchDir.resolve("target/run/" + out.getFileName());
        java = opts.getOrDefault("java", "java");
        jcmd = Path.of(java).resolveSibling("jcmd").toString();
        pin = opts.containsKey("pin");
        profile = !opts.containsKey("no-profile") && (!mode.equals("smoke") || opts.containsKey("profile"));
    }

    String opt(String key, String full, String quick, String smoke) {
        return opts.getOrDefault(key, switch (mode) {
            case "smoke" -> smoke;
            case "quick" -> quick;
            default -> full;
        });
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Bench b = new Bench(args);
        int failures;
        if (b.opts.containsKey("help")) {
            System.out.println("""
                    bench/run.sh [--smoke|--quick|--full] [options]
                      --reps N              repetitions of the whole matrix (full 3, quick 1, smoke 1)
                      --duration S          measured seconds per cell (full 5, quick 3, smoke 0.5)
                      --ramp S              unmeasured seconds before each cell (full 1, quick 1, smoke 0.2)
                      --warmup S            warm-up seconds per server, transport and payload (full 8, quick 4, smoke 0.5)
                      --concurrency LIST    e.g. 1,16,64,256 (smoke: 4)
                      --payloads LIST       small,64k (smoke: small)
                      --transports LIST     http,ws,tcp,stdio
                      --servers LIST        ours,sdk,limit,cluster (cluster: ours with cluster.enabled on a
                                            Redis the bench starts; redis-server must be installed; base:
                                            ours with the server JAR given by --baseline, HTTP only)
                      --baseline JAR        the mcp-server JAR of the build to compare with (server "base"):
                                            e.g. main's, to measure a change before/after in one run
                      --pin                 servers on CPU 1, load generator on CPU 0 (taskset)
                      --no-scale --no-startup --no-jmh --no-wrk --no-profile (--profile: also in a smoke run)
                      --startup-runs N      later starts of each kind (full 5, quick 3, smoke 1)
                      --startup-launcher-only  of the startup part only bin/mcp-server as shipped (to the first
                                            tools/list answer: first start, with and without its archive)
                      --launcher-dist DIR   the distribution (bin/ lib/ plugins/ conf/) that part installs and starts
                                            on its defaults (default: the bench's build with its configuration)
                      --launcher-baseline DIR  another distribution, e.g. the previous build, measured interleaved
                      --startup-settle L    before each later start through the launcher, wait (at most 180 s)
                                            until the 1-minute load average is below L (issue 14: load < 1)
                      --scale-conns N       idle WebSocket and SSE connections each (full 10000, quick 10000, smoke 100)
                      --scale-floor no      skip the plain-Helidon WebSocket floor of the scale test
                      --no-flood            skip the fairness-under-flood part (bench/run.sh --flood runs only it)
                      --flood-transports L  http,tcp,ws
                      --flood-seconds S     per phase: quiet, flood, after (full 20, quick 10, smoke 2)
                      --flood-clients N     well-behaved clients, each its own principal (20)
                      --flood-client-rate R calls/s of each well-behaved client (20)
                      --flood-rate-conns N, --flood-big-conns N, --flood-slow-conns N, --flood-big-bytes B
                                            the flooder's connections: as fast as answered (full 16, smoke 4),
                                            large payloads (4, smoke 1), never reading (16, smoke 2); payload
                                            size (524288, smoke 65536)
                      --no-hooks            skip the issue-16 part in a smoke run (bench/run.sh --hooks runs only it)
                      --hooks-transports L  http,ws,tcp
                      --hooks-reps N, --hooks-duration S, --hooks-warmup S, --hooks-concurrency N
                                            (hooks mode 5, 4, 5, 16; smoke 1, 0.5, 0.5, 4)
                      --out DIR             results directory""");
            return;
        }
        if (b.opts.containsKey("replot")) { // the tables and the chart again, from a results directory's runs.csv
            Path dir = Path.of(b.opts.get("replot"));
            List<Results.Row> rows = Results.readCsv(dir.resolve("runs.csv"));
            List<Results.Row> medians = Results.medians(rows);
            List<String> payloads = rows.stream().map(Results.Row::payload).distinct().toList();
            List<Integer> cs = rows.stream().map(Results.Row::concurrency).distinct().sorted().toList();
            Results.writeCsv(dir.resolve("summary.csv"), medians);
            Files.writeString(dir.resolve("tables.md"), Results.markdown(medians, payloads, cs));
            Map<String, Object> machine = Machine.describe(b.java);
            machine.put("loadavg_at_start", "see runs.csv (loadavg1 per cell)");
            machine.put("pinned", "no");
            Chart.write(dir.resolve("chart.png"), medians, payloads, cs, machine);
            log("replotted " + dir);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(b::stopAll));
        try {
            failures = b.run();
        } finally {
            b.stopAll();
        }
        if (failures > 0 && (b.mode.equals("smoke") || b.mode.equals("flood") || b.mode.equals("hooks"))) {
            // the smoke run asserts nothing about numbers, only that every part of the harness still works
            log("smoke: " + failures + " part(s) did not work (see above)");
            System.exit(1);
        }
    }

    /** Runs everything; returns how many parts failed (unavailable scenarios, failed cells, scale, JMH). */
    int run() throws Exception {
        Files.createDirectories(out);
        Files.createDirectories(work);
        log("results in " + out + "; logs in " + work.resolve("logs"));
        Map<String, Object> machine = Machine.describe(java);
        machine.put("mode", mode);
        machine.put("pinned", pin ? "servers on CPU 1, load generator on CPU 0" : "no (the OS schedules all processes on both cores)");
        machine.put("command", "bench/run.sh " + String.join(" ", opts.entrySet().stream()
                .filter(e -> !Set.of("bench-dir", "java", "out").contains(e.getKey()))
                .map(e -> e.getKey().equals("mode") ? "--" + e.getValue() : "--" + e.getKey() + (e.getValue().equals("true") ? "" : " " + e.getValue()))
                .toList()));
        log("machine: " + machine);
        if (mode.equals("hooks")) { // bench/run.sh --hooks: issue 16, the cost of the request hooks when off
            Object hooks = part("hooks", () -> new Hooks(this).run());
            Object paired = part("paired", this::runHooksPaired);
            Object jmh = opts.containsKey("no-jmh") ? "skipped" : part("jmh", () -> runJmh(HOOKS_JMH));
            Files.writeString(out.resolve("results.json"), Results.json(Map.of("machine", machine, "hooks", hooks,
                    "paired", paired, "jmh", jmh)) + "\n");
            Files.writeString(out.resolve("summary.md"), "# Results " + out.getFileName() + " (issue 16: hooks off)\n\n"
                    + "Machine: " + machine + "\n\n### hooks\n\n" + (hooks instanceof Map<?, ?> m ? m.get("status")
                    + "\n\n" + m.get("table") : hooks) + "\n\n### paired (HooksPaired)\n\n" + paired
                    + "\n\n### jmh\n\n" + jmh + "\n");
            stopAll();
            boolean ok = hooks instanceof Map<?, ?> m && "ok".equals(m.get("status"))
                    && !(paired instanceof Map<?, ?>)
                    && !(jmh instanceof String s && s.contains("no JMH results"));
            return ok ? 0 : 1;
        }
        if (mode.equals("flood")) { // bench/run.sh --flood: the fairness benchmark alone, at full length
            Object flood = part("flood", () -> new Flood(this).run());
            Files.writeString(out.resolve("results.json"), Results.json(Map.of("machine", machine, "flood", flood)) + "\n");
            stopAll();
            return flood instanceof Map<?, ?> m && "ok".equals(m.get("status")) ? 0 : 1;
        }

        List<String> payloads = Results.list(opt("payloads", "small,64k", "small,64k", "small"));
        List<Integer> concurrencies = Results.list(opt("concurrency", "1,16,64,256", "1,16,64,256", "4"))
                .stream().map(Integer::parseInt).toList();
        List<String> transports = Results.list(opt("transports", "http,ws,tcp,stdio", "http,ws,tcp,stdio", "http,ws,tcp,stdio"));
        List<String> servers = Results.list(opt("servers", "ours,sdk,limit,cluster", "ours,sdk,limit,cluster", "ours,sdk,limit,cluster"));
        int reps = Integer.parseInt(opt("reps", "3", "1", "1"));
        double duration = Double.parseDouble(opt("duration", "5", "3", "0.5"));
        double ramp = Double.parseDouble(opt("ramp", "1", "1", "0.2"));
        double warmup = Double.parseDouble(opt("warmup", "8", "4", "0.5"));

        boolean wrk = !mode.equals("smoke") && !opts.containsKey("no-wrk") && transports.contains("http") && WrkCheck.available();
        log(wrk ? "wrk found: HTTP cells at c=64 are also driven by wrk" : "no wrk cross-check (apt-get install -y wrk)");
        startServers(servers, transports);
        List<Scenario> scenarios = scenarios(transports, servers);
        log("available: " + scenarios.stream().map(s -> s.transport + "/" + s.mode + "/" + s.server).toList());
        unavailable.forEach((k, v) -> log("unavailable: " + k + ": " + v));

        // warm-up: every server, transport and payload; results thrown away
        for (Scenario s : scenarios) {
            for (String p : payloads) {
                if (!s.serves(p)) {
                    continue;
                }
                double w = p.equals("small") ? warmup : warmup / 2;
                log(String.format(Locale.ROOT, "warm-up %s/%s/%s %s c=64 for %.1f s", s.transport, s.mode, s.server, p, w));
                try {
                    s.run(this, Workload.text(p), 64, 0, w);
                } catch (Exception e) {
                    log("warm-up failed: " + e);
                }
            }
        }

        Path csv = out.resolve("runs.csv");
        Files.writeString(csv, Results.HEADER + "\n");
        for (int rep = 1; rep <= reps; rep++) {
            for (String p : payloads) {
                String text = Workload.text(p);
                for (int c : concurrencies) {
                    for (String[] group : groups(scenarios)) {
                        List<Scenario> g = scenarios.stream().filter(s -> s.transport.equals(group[0]) && s.mode.equals(group[1])
                                && s.serves(p)).toList();
                        for (int k = 0; k < g.size(); k++) {
                            Scenario s = g.get((k + rep - 1) % g.size()); // rotate who goes first
                            Results.Row row = measure(rep, s, p, text, c, ramp, duration);
                            rows.add(row);
                            Files.writeString(csv, Results.csv(row) + "\n", StandardOpenOption.APPEND);
                            log(String.format(Locale.ROOT, "rep %d %-5s %-9s %-5s %-5s c=%-3d %,9.0f calls/s  p50 %,7.0f µs  p99 %,8.0f µs  err %d  cpu client %.0f%% server %.0f%% other %.0f%%  load %.2f  %s",
                                    rep, s.transport, s.mode, s.server, p, c, row.throughput(), row.p50(), row.p99(), row.errors(),
                                    row.clientCpu(), row.serverCpu(), row.otherCpu(), row.loadavg1(), row.status()));
                        }
                    }
                    if (wrk && c == 64 && !Workload.streamed(p)) { // the cross-check: same servers, same cell, another generator
                        for (Scenario s : scenarios) {
                            if (!s.transport.equals("http")) {
                                continue;
                            }
                            Scenario w = new Scenario("http", s.mode + "-wrk", s.server);
                            Results.Row row = measure(rep, w, p, text, c, 0, Math.max(1, Math.round(duration)));
                            rows.add(row);
                            Files.writeString(csv, Results.csv(row) + "\n", StandardOpenOption.APPEND);
                            log(String.format(Locale.ROOT, "rep %d wrk   %-9s %-5s %-5s c=%-3d %,9.0f calls/s  p50 %,7.0f µs  p99 %,8.0f µs  err %d  cpu client(JVM only) %.0f%% server %.0f%% other(incl. wrk) %.0f%%  %s",
                                    rep, w.mode, w.server, p, c, row.throughput(), row.p50(), row.p99(), row.errors(),
                                    row.clientCpu(), row.serverCpu(), row.otherCpu(), row.status()));
                        }
                    }
                }
            }
        }
        // where the time goes: JFR in the server during one more HTTP cell (not part of the table)
        Map<String, Object> profiles = new LinkedHashMap<>();
        if (profile) {
            for (Scenario s : scenarios) {
                if (s.transport.equals("http") && s.mode.equals("sse") && s.server.equals("ours")) {
                    // the headline: the client accepts both types, as every SDK does
                    double secs = Double.parseDouble(opt("profile-seconds", "10", "6", "1"));
                    log("profiling ours: http/sse small c=64 for " + secs + " s under JFR");
                    try {
                        profiles.put("ours-sse", Profile.record(this, s.process(this), "profile-ours-http-sse",
                                List.of("hot-methods", "allocation-by-site", "contention-by-site"),
                                () -> s.run(this, Workload.text("small"), 64, 1, secs)));
                        if (payloads.contains("progress")) { // a streamed call: the cost per event
                            log("profiling ours: http/sse progress x10 c=16 for " + secs + " s under JFR");
                            profiles.put("ours-progress", Profile.record(this, s.process(this),
                                    "profile-ours-http-progress", List.of("hot-methods", "contention-by-site"),
                                    () -> s.run(this, Workload.text("progress"), 16, 1, secs)));
                        }
                    } catch (Exception e) {
                        log("profile failed: " + e);
                    }
                }
                if (s.transport.equals("http") && s.mode.equals("conns") && !s.server.equals("limit") && !s.server.equals("cluster") && !s.server.equals("base")) {
                    double secs = Double.parseDouble(opt("profile-seconds", "10", "6", "1"));
                    log("profiling " + s.server + ": http/conns small c=64 for " + secs + " s under JFR");
                    try {
                        profiles.put(s.server, Profile.record(this, s.process(this), "profile-" + s.server + "-http",
                                List.of("hot-methods", "allocation-by-site", "contention-by-site"),
                                () -> s.run(this, Workload.text("small"), 64, 1, secs)));
                        if (payloads.contains("64k")) {
                            log("profiling " + s.server + ": http/conns 64k c=16 for " + secs + " s under JFR");
                            profiles.put(s.server + "-64k", Profile.record(this, s.process(this),
                                    "profile-" + s.server + "-http-64k", List.of("hot-methods", "allocation-by-site"),
                                    () -> s.run(this, Workload.text("64k"), 16, 1, secs)));
                        }
                    } catch (Exception e) {
                        log("profile failed: " + e);
                    }
                }
            }
        }
        stopAll();

        List<Results.Row> medians = Results.medians(rows);
        Results.writeCsv(out.resolve("summary.csv"), medians);
        regressionGuard(medians);
        String baseline = baselineMarkdown(medians);
        if (baseline != null) {
            log("ours (this build) vs base (--baseline " + opts.get("baseline") + "):\n" + baseline);
        }
        String clusterCost = ClusterCost.markdown(medians);
        if (clusterCost != null) {
            log("cluster.enabled cost (load " + String.format(Locale.ROOT, "%.2f", Machine.loadavg1()) + "):\n" + clusterCost);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("settings", Map.of("reps", reps, "duration_s", duration, "ramp_s", ramp, "warmup_s", warmup,
                "payloads", payloads, "concurrency", concurrencies));
        json.put("unavailable", unavailable);
        json.put("profiles", profiles);
        json.put("medians", medians);
        json.put("runs", rows);
        Map<String, Object> extra = new LinkedHashMap<>();
        if (clusterCost != null) {
            extra.put("cluster.enabled cost: ours with / without it, side by side", clusterCost);
        }
        if (baseline != null) {
            extra.put("this build (ours) vs --baseline (base), side by side", baseline);
        }

        // the report is written now and again after each part, so that a part that fails loses nothing else
        String md = report(json, extra, machine, medians, payloads, concurrencies);
        try {
            Chart.write(out.resolve("chart.png"), medians, payloads, concurrencies, machine);
        } catch (Throwable e) { // a chart must never lose the numbers
            log("chart failed: " + e);
        }
        if (!opts.containsKey("no-startup")) {
            extra.put("startup", part("startup", () -> new Startup(this).run(Integer.parseInt(opt("startup-runs", "5", "3", "1")))));
            md = report(json, extra, machine, medians, payloads, concurrencies);
        }
        if (!opts.containsKey("no-scale")) {
            extra.put("scale", part("scale", () -> new Scale(this).run(Integer.parseInt(opt("scale-conns", "10000", "10000", "100")))));
            md = report(json, extra, machine, medians, payloads, concurrencies);
        }
        if (!opts.containsKey("no-jmh")) {
            extra.put("jmh", part("jmh", this::runJmh));
            md = report(json, extra, machine, medians, payloads, concurrencies);
        }
        if (mode.equals("smoke") && !opts.containsKey("no-hooks")) { // that the issue-16 comparison still works
            extra.put("hooks", part("hooks", () -> new Hooks(this).run()));
            md = report(json, extra, machine, medians, payloads, concurrencies);
        }
        if (!opts.containsKey("no-flood")) {
            extra.put("flood", part("flood", () -> new Flood(this).run()));
            md = report(json, extra, machine, medians, payloads, concurrencies);
        }
        log("done: " + out.resolve("summary.md"));
        System.out.println(md);
        long failed = unavailable.size() + rows.stream().filter(r -> !r.status().equals("ok")).count();
        failed += extra.values().stream().filter(v -> v instanceof Map<?, ?> m && String.valueOf(m.get("status")).startsWith("failed")).count();
        if (extra.get("scale") instanceof Map<?, ?> scale && !"ok".equals(scale.get("status"))) {
            failed++;
        }
        if (extra.get("jmh") instanceof String jmh && jmh.contains("no JMH results")) {
            failed++;
        }
        return (int) failed;
    }

    /**
     * The regression guard in every CI log (issue 14): the small HTTP cell's ratios, one line per concurrency.
     * Printed, never checked: CI machines are shared and a smoke cell lasts half a second.
     */
    void regressionGuard(List<Results.Row> medians) {
        for (int c : medians.stream().filter(r -> r.transport().equals("http") && r.payload().equals("small"))
                .map(Results.Row::concurrency).distinct().sorted().toList()) {
            double ours = throughput(medians, "conns", "ours", c);
            double both = throughput(medians, "sse", "ours", c);
            double sdk = throughput(medians, "conns", "sdk", c);
            double lim = throughput(medians, "conns", "limit", c);
            log(String.format(Locale.ROOT, "regression guard, http small c=%d (load %.2f; printed, not checked): "
                            + "ours/SDK %s, ours accepting JSON+SSE/SDK %s, ours/limit %s",
                    c, Machine.loadavg1(), Results.ratio(ours, sdk), Results.ratio(both, sdk), Results.ratio(ours, lim)));
        }
    }

    private static double throughput(List<Results.Row> medians, String mode, String server, int c) {
        return medians.stream().filter(r -> r.transport().equals("http") && r.payload().equals("small")
                        && r.mode().equals(mode) && r.server().equals(server) && r.concurrency() == c)
                .mapToDouble(Results.Row::throughput).findFirst().orElse(Double.NaN);
    }

    interface Part {
        Object run() throws Exception;
    }

    /** Runs one extra part; a failure (even out of memory) becomes its result instead of ending the run. */
    Object part(String name, Part body) {
        try {
            return body.run();
        } catch (Exception | Error e) {
            log(name + " failed: " + e);
            stopAll();
            return Map.of("status", "failed: " + e);
        }
    }

    String report(Map<String, Object> json, Map<String, Object> extra, Map<String, Object> machine,
                  List<Results.Row> medians, List<String> payloads, List<Integer> concurrencies) throws IOException {
        Map<String, Object> all = new LinkedHashMap<>(json);
        all.putAll(extra);
        Files.writeString(out.resolve("results.json"), Results.json(all) + "\n");
        String md = "# Results " + out.getFileName() + "\n\n" + "Machine: " + machine + "\n\n"
                + Results.markdown(medians, payloads, concurrencies)
                + (unavailable.isEmpty() ? "" : "\nNot measured: " + unavailable + "\n")
                + extra.entrySet().stream().map(e -> "\n### " + e.getKey() + "\n\n" + (e.getValue() instanceof Map<?, ?> m
                        && m.get("table") != null ? m.get("status") + "\n\n" + m.get("table") : e.getValue()) + "\n").reduce("", String::concat);
        Files.writeString(out.resolve("summary.md"), md);
        return md;
    }

    /** Transport/mode groups in matrix order. */
    static List<String[]> groups(List<Scenario> scenarios) {
        List<String[]> g = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Scenario s : scenarios) {
            if (seen.add(s.transport + "|" + s.mode)) {
                g.add(new String[] {s.transport, s.mode});
            }
        }
        return g;
    }

    Results.Row measure(int rep, Scenario s, String payload, String text, int c, double ramp, double duration) {
        ServerProc server = s.process(this);
        double load = Machine.loadavg1();
        long[] m0 = Machine.cpuJiffies();
        long self0 = Machine.selfCpuTicks();
        long srv0 = server.cpuTicks();
        long t0 = System.nanoTime();
        Recorder.Summary sum;
        String status = "ok";
        try {
            sum = s.run(this, text, c, ramp, duration);
        } catch (Exception e) {
            status = "failed: " + e.getMessage();
            sum = new Recorder.Summary(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long[] m1 = Machine.cpuJiffies();
        double cores = Runtime.getRuntime().availableProcessors();
        double machineBusy = m1[1] == m0[1] ? Double.NaN : 100.0 * cores * (m1[0] - m0[0]) / (m1[1] - m0[1]);
        double client = (Machine.selfCpuTicks() - self0) / wall; // ticks are 1/100 s: ticks/s = % of a core
        double srv = (server.cpuTicks() - srv0) / wall;
        return new Results.Row(rep, s.transport, s.mode, s.server, payload, c, sum.calls(), sum.errors(), duration,
                sum.calls() / duration, sum.p50(), sum.p90(), sum.p99(), sum.p999(), sum.max(), client, srv,
                Math.max(0, machineBusy - client - srv), load, status);
    }

    // ---- servers --------------------------------------------------------------------------------------------

    List<String> jvm() {
        // the same for every server under load: fixed heap so that GC sizing doesn't differ between them
        return List.of(java, "-Xms1g", "-Xmx1g", "-XX:+UseG1GC");
    }

    String cpusServer() {
        return pin ? "1" : null;
    }

    Path oursHome() throws IOException {
        Path home = work.resolve("ours-home");
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mcp-server.yaml"), """
                # written by the bench: our server as benchmarked (every other key at its default)
                server:
                  host: 127.0.0.1
                  shutdown-grace: 2s
                limits:
                  # pipelined cells keep up to 256 requests in flight on one session (default 64)
                  max-in-flight-per-session: 1024
                transports:
                  stdio:
                    enabled: false
                  tcp:
                    enabled: %s
                    port: 0
                    max-connections: 100000
                  http:
                    enabled: %s
                    port: 0
                    # the scale test opens 10,000 sessions (default 1000)
                    max-sessions: 100000
                plugins:
                  dir: %s
                  data-dir: %s
                """.formatted("${TCP}", "${HTTP}", benchDir.resolve("ours/target/plugins"), home.resolve("data")));
        return home;
    }

    /** Our server's command line; {@code tcp}/{@code http} say which network transports are on. */
    List<String> oursCommand(Path home, boolean tcp, boolean http, boolean stdio, List<String> jvmOpts) throws IOException {
        return oursCommand(home, tcp, http, stdio, jvmOpts, null);
    }

    /**
     * Our class path with the server JAR swapped for {@code --baseline}'s: a directory of links to every other JAR
     * of {@code ours/target/lib} and that one.
     */
    Path baselineLib() throws IOException {
        Path jar = Path.of(opts.get("baseline")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IOException("--baseline " + jar + ": no such file");
        }
        Path lib = work.resolve("base-lib");
        Files.createDirectories(lib);
        try (var jars = Files.list(benchDir.resolve("ours/target/lib"))) {
            for (Path j : jars.toList()) {
                if (!j.getFileName().toString().startsWith("mcp-server-")) {
                    Files.createSymbolicLink(lib.resolve(j.getFileName()), j.toAbsolutePath());
                }
            }
        }
        Files.createSymbolicLink(lib.resolve("mcp-server-baseline.jar"), jar);
        return lib;
    }

    /** Ours vs base, cell by cell, with each one's ratio to the SDK; null when there is no base. */
    static String baselineMarkdown(List<Results.Row> medians) {
        StringBuilder sb = new StringBuilder("| mode | payload | c | base calls/s | ours calls/s | ours/base | base/SDK | ours/SDK | base p99 µs | ours p99 µs | load1 |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        boolean any = false;
        for (Results.Row b : medians) {
            Results.Row o = b.server().equals("base") ? Results.find(medians, b.transport(), b.mode(), "ours", b.payload(), b.concurrency()) : null;
            if (o == null) {
                continue;
            }
            Results.Row s = Results.find(medians, "http", "conns", "sdk", b.payload(), b.concurrency());
            double st = s == null ? Double.NaN : s.throughput();
            any = true;
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %.2f |%n", b.mode(),
                    b.payload(), b.concurrency(), Results.fmt(b.throughput()), Results.fmt(o.throughput()),
                    Results.ratio(o.throughput(), b.throughput()), Results.ratio(b.throughput(), st),
                    Results.ratio(o.throughput(), st), Results.fmt(b.p99()), Results.fmt(o.p99()),
                    (o.loadavg1() + b.loadavg1()) / 2));
        }
        return any ? sb.toString() : null;
    }

    /** The same with {@code cluster.enabled} on the Redis at {@code redisUrl} (null: off). */
    List<String> oursCommand(Path home, boolean tcp, boolean http, boolean stdio, List<String> jvmOpts, String redisUrl)
            throws IOException {
        Path conf = home.resolve("conf/mcp-server-" + (tcp ? "t" : "") + (http ? "h" : "") + (redisUrl != null ? "c" : "") + ".yaml");
        String yaml = Files.readString(home.resolve("conf/mcp-server.yaml"))
                .replace("${TCP}", Boolean.toString(tcp)).replace("${HTTP}", Boolean.toString(http));
        if (redisUrl != null) {
            yaml += "cluster:\n  enabled: true\n  redis:\n    url: " + redisUrl + "\n  node-id: bench\n";
        }
        Files.writeString(conf, yaml);
        List<String> cmd = new ArrayList<>(jvmOpts);
        Path lib = redisUrl == null && home.endsWith("base-home") ? work.resolve("base-lib") : benchDir.resolve("ours/target/lib");
        cmd.addAll(List.of("-Dmcp.home=" + home, "-cp", lib + "/*",
                "io.mcpserver.server.Main", "--config", conf.toString()));
        if (stdio) {
            cmd.add("--stdio");
        }
        return cmd;
    }

    List<String> sdkCommand(List<String> jvmOpts) {
        List<String> cmd = new ArrayList<>(jvmOpts);
        cmd.addAll(List.of("-cp", benchDir.resolve("sdk-server/target/classes") + ":" + benchDir.resolve("sdk-server/target/lib") + "/*",
                "io.mcpserver.bench.sdk.SdkEchoServer", "--port", "0"));
        return cmd;
    }

    List<String> limitCommand(List<String> jvmOpts) {
        List<String> cmd = new ArrayList<>(jvmOpts);
        cmd.addAll(List.of("-cp", benchDir.resolve("limit-server/target/classes") + ":" + benchDir.resolve("limit-server/target/lib") + "/*",
                "io.mcpserver.bench.limit.LimitServer", "--port", "0"));
        return cmd;
    }

    /**
     * Starts our server with every network transport that works today (the transports are landing one by one:
     * a transport that refuses to start is reported as unavailable, not a failure), plus a stdio one, the SDK's
     * and the limit.
     */
    void startServers(List<String> servers, List<String> transports) throws Exception {
        wsClient = WsLoad.client();
        if (servers.contains("ours")) {
            Path home = oursHome();
            boolean[][] tries = {{true, true}, {false, true}, {true, false}};
            for (boolean[] t : tries) {
                ServerProc p = ServerProc.start("ours", oursCommand(home, t[0], t[1], false, jvm()),
                        work.resolve("logs/ours" + (t[0] ? "-tcp" : "") + (t[1] ? "-http" : "") + ".log"), false, cpusServer());
                started.add(p);
                try {
                    ours = p.awaitReady(60_000);
                    break;
                } catch (IOException e) {
                    String why = e.getMessage().lines().filter(l -> l.contains("cannot start")).findFirst().orElse(e.getMessage().lines().findFirst().orElse("?"));
                    log("ours with tcp=" + t[0] + " http=" + t[1] + " did not start: " + why.trim());
                    p.close();
                }
            }
            if (ours == null) {
                unavailable.put("ours/tcp+http", "our server starts with neither the TCP nor the HTTP transport (see logs/)");
            } else {
                log("ours ready: " + ours.endpoints);
            }
            if (transports.contains("stdio")) {
                oursStdio = ServerProc.start("ours-stdio", oursCommand(home, false, false, true, jvm()),
                        work.resolve("logs/ours-stdio.log"), true, cpusServer());
                started.add(oursStdio);
                oursStdio.awaitReady(60_000);
                stdioConn = new LineLoad.Conn(new LineIn(oursStdio.stdout()), oursStdio.stdin(), oursStdio.process::destroy);
                stdioConn.initialize();
            }
        }
        if (servers.contains("cluster") && transports.stream().anyMatch(t -> !t.equals("stdio"))) {
            startCluster(oursHome());
        }
        if (servers.contains("base") && transports.contains("http")) {
            if (!opts.containsKey("baseline")) {
                throw new IllegalArgumentException("--servers base needs --baseline JAR (the mcp-server JAR to compare with)");
            }
            baselineLib();
            Path home = work.resolve("base-home");
            Files.createDirectories(home.resolve("conf"));
            Files.copy(oursHome().resolve("conf/mcp-server.yaml"), home.resolve("conf/mcp-server.yaml"));
            ServerProc p = ServerProc.start("base", oursCommand(home, false, true, false, jvm()),
                    work.resolve("logs/base-http.log"), false, cpusServer());
            started.add(p);
            base = p.awaitReady(60_000);
            log("base ready (--baseline " + opts.get("baseline") + "): " + base.endpoints);
        }
        if (servers.contains("sdk") && transports.contains("http")) {
            sdk = ServerProc.start("sdk", sdkCommand(jvm()), work.resolve("logs/sdk.log"), false, cpusServer());
            started.add(sdk);
            sdk.awaitReady(60_000);
            log("sdk ready: " + sdk.endpoints);
        }
        if (servers.contains("limit") && (transports.contains("http") || transports.contains("ws"))) {
            limit = ServerProc.start("limit", limitCommand(jvm()), work.resolve("logs/limit.log"), false, cpusServer());
            started.add(limit);
            limit.awaitReady(60_000);
            log("limit ready: " + limit.endpoints);
        }
    }

    /**
     * Redis, then ours with {@code cluster.enabled} on it, with the transports ours started with; waits until its
     * {@code /ready} says 200 (the node connects to Redis in the background, after its ready line).
     */
    void startCluster(Path home) throws Exception {
        try {
            redis = RedisProc.start(work.resolve("redis"));
        } catch (IOException e) {
            unavailable.put("cluster", e.getMessage());
            return;
        }
        boolean tcp = ours == null || ours.endpoints.containsKey("tcp");
        boolean http = ours == null || ours.endpoints.containsKey("http");
        ServerProc p = ServerProc.start("cluster", oursCommand(home, tcp, http, false, jvm(), redis.url()),
                work.resolve("logs/ours-cluster.log"), false, cpusServer());
        started.add(p);
        oursCluster = p.awaitReady(60_000);
        if (!oursCluster.endpoints.containsKey("http")) {
            return; // nothing to ask; the first requests wait for the connection instead
        }
        URI ready = URI.create("http://" + oursCluster.endpoints.get("http") + "/ready");
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (HttpClient client = HttpClient.newHttpClient()) {
            while (true) {
                int status = client.send(HttpRequest.newBuilder(ready).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("ours with cluster.enabled: /ready still " + status + " after 60 s");
                }
                Thread.sleep(50);
            }
        }
        log("cluster ready (cluster.enabled, Redis " + redis.url() + "): " + oursCluster.endpoints);
    }

    /** The scenarios that can run: each is checked with one full echo per payload first. */
    List<Scenario> scenarios(List<String> transports, List<String> servers) {
        List<Scenario> all = new ArrayList<>();
        for (String t : transports) {
            switch (t) {
                case "http" -> {
                    // conns: ours answers JSON (the client accepts only application/json); the SDK always
                    // answers with an event stream; the limit answers JSON. sse: ours when the client lists both.
                    all.add(new Scenario("http", "conns", "ours"));
                    all.add(new Scenario("http", "conns", "sdk"));
                    all.add(new Scenario("http", "conns", "limit"));
                    all.add(new Scenario("http", "sse", "ours"));
                    all.add(new Scenario("http", "conns", "cluster"));
                    all.add(new Scenario("http", "sse", "cluster"));
                    all.add(new Scenario("http", "conns", "base"));
                    all.add(new Scenario("http", "sse", "base"));
                }
                case "ws" -> {
                    all.add(new Scenario("ws", "conns", "ours"));
                    all.add(new Scenario("ws", "conns", "limit"));
                    all.add(new Scenario("ws", "pipelined", "ours"));
                    all.add(new Scenario("ws", "pipelined", "limit"));
                    all.add(new Scenario("ws", "conns", "cluster"));
                    all.add(new Scenario("ws", "pipelined", "cluster"));
                }
                case "tcp" -> {
                    all.add(new Scenario("tcp", "conns", "ours"));
                    all.add(new Scenario("tcp", "pipelined", "ours"));
                    all.add(new Scenario("tcp", "conns", "cluster"));
                    all.add(new Scenario("tcp", "pipelined", "cluster"));
                }
                case "stdio" -> all.add(new Scenario("stdio", "pipelined", "ours"));
                default -> throw new IllegalArgumentException("transport: http, ws, tcp or stdio, not " + t);
            }
        }
        List<Scenario> ok = new ArrayList<>();
        for (Scenario s : all) {
            if (!servers.contains(s.server) || (s.server.equals("cluster") && unavailable.containsKey("cluster"))) {
                continue;
            }
            String key = s.transport + "/" + s.mode + "/" + s.server;
            try {
                if (s.process(this) == null || s.endpoint(this) == null) {
                    unavailable.put(key, "the server has no " + s.transport + " endpoint");
                    continue;
                }
                s.verify(this, Workload.text("small"));
                s.verify(this, Workload.text("64k"));
                if (s.serves("progress") && opt("payloads", "", "", "").contains("progress")) {
                    s.verify(this, Workload.text("progress"));
                }
                ok.add(s);
            } catch (Exception e) {
                unavailable.put(key, "echo check failed: " + e);
            }
        }
        return ok;
    }

    /** One server over one transport in one mode. */
    record Scenario(String transport, String mode, String server) {

        /** The streamed call (payload "progress") needs the same tool on both sides: HTTP, ours and the SDK. */
        boolean serves(String payload) {
            return !Workload.streamed(payload) || (transport.equals("http") && !server.equals("limit"));
        }

        ServerProc process(Bench b) {
            return switch (server) {
                case "ours" -> transport.equals("stdio") ? b.oursStdio : b.ours;
                case "sdk" -> b.sdk;
                case "limit" -> b.limit;
                case "cluster" -> transport.equals("stdio") ? null : b.oursCluster;
                case "base" -> b.base;
                default -> null;
            };
        }

        /** host:port, or "stdio"; null when the server doesn't serve this transport. */
        String endpoint(Bench b) {
            ServerProc p = process(b);
            if (p == null) {
                return null;
            }
            return switch (transport) {
                case "stdio" -> "stdio";
                case "tcp" -> p.endpoints.get("tcp");
                default -> p.endpoints.get("http");
            };
        }

        URI wsUri(Bench b) {
            return URI.create("ws://" + endpoint(b) + "/ws");
        }

        HttpConn.Flavor flavor() {
            return server.equals("limit") ? HttpConn.Flavor.PLAIN
                    : server.equals("sdk") || mode.startsWith("sse") ? HttpConn.Flavor.SSE : HttpConn.Flavor.JSON;
        }

        void verify(Bench b, String text) throws Exception {
            ServerProc p = process(b);
            switch (transport) {
                case "http" -> HttpLoad.verify(p.host("http"), p.port("http"), "/mcp", flavor(), text);
                case "ws" -> WsLoad.verify(b.wsClient, wsUri(b), text);
                case "tcp" -> {
                    try (LineLoad.Conn c = LineLoad.Conn.tcp(p.host("tcp"), p.port("tcp"))) {
                        c.initialize();
                        c.verify(text);
                    }
                }
                case "stdio" -> b.stdioConn.verify(text);
                default -> throw new IllegalStateException(transport);
            }
        }

        Recorder.Summary run(Bench b, String text, int c, double ramp, double seconds) throws Exception {
            ServerProc p = process(b);
            if (mode.endsWith("-wrk")) {
                return WrkCheck.run(b, p, new Scenario(transport, mode.substring(0, mode.length() - 4), server).flavor(),
                        text, c, seconds);
            }
            return switch (transport + "/" + mode) {
                case "http/conns", "http/sse" -> HttpLoad.run(p.host("http"), p.port("http"), "/mcp", flavor(), text, c, ramp, seconds);
                case "ws/conns" -> WsLoad.connections(b.wsClient, wsUri(b), text, c, ramp, seconds);
                case "ws/pipelined" -> WsLoad.pipelined(b.wsClient, wsUri(b), text, c, ramp, seconds);
                case "tcp/conns" -> LineLoad.connections(p.host("tcp"), p.port("tcp"), text, c, ramp, seconds);
                case "tcp/pipelined" -> {
                    try (LineLoad.Conn conn = LineLoad.Conn.tcp(p.host("tcp"), p.port("tcp"))) {
                        conn.initialize();
                        yield LineLoad.pipelined(conn, text, c, ramp, seconds);
                    }
                }
                case "stdio/pipelined" -> LineLoad.pipelined(b.stdioConn, text, c, ramp, seconds);
                default -> throw new IllegalStateException(transport + "/" + mode);
            };
        }
    }

    // ---- JMH ------------------------------------------------------------------------------------------------

    /** Issue 16's benchmarks: the dispatcher with and without the hooks, their off paths, and the whole dispatch. */
    static final String HOOKS_JMH = "HooksBench|CompressionDecisionBench|DispatcherBench.dispatch$";

    Object runJmh() throws IOException, InterruptedException {
        return runJmh(null);
    }

    /** HooksBench's pairs measured in thread CPU time, alternating (see HooksPaired): its table. */
    Object runHooksPaired() throws IOException, InterruptedException {
        Path jmh = benchDir.resolve("jmh/target");
        Path md = out.resolve("paired.md");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g", "-cp",
                jmh.resolve("classes") + ":" + jmh.resolve("lib") + "/*", "io.mcpserver.bench.jmh.HooksPaired",
                opt("hooks-paired-rounds", "40", "20", "2"), md.toString()));
        log("paired: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("paired.log").toFile()).start();
        int rc = p.waitFor();
        if (rc != 0 || !Files.exists(md)) {
            throw new IOException("HooksPaired exited with " + rc + "; see " + work.resolve("paired.log"));
        }
        String table = Files.readString(md);
        log("paired done\n" + table);
        return table;
    }

    /** {@code only}: a JMH benchmark pattern with the hooks mode's settings; null for the mode's own selection. */
    Object runJmh(String only) throws IOException, InterruptedException {
        Path jmh = benchDir.resolve("jmh/target");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", jmh.resolve("classes") + ":" + jmh.resolve("lib") + "/*",
                "org.openjdk.jmh.Main", "-rf", "json", "-rff", out.resolve("jmh.json").toString(), "-prof", "gc"));
        switch (only != null ? "only" : mode) {
            // two forks: a benchmark's figure from one JVM can be off by a JIT decision
            case "only" -> cmd.addAll(List.of("-f", opt("hooks-jmh-forks", "2", "2", "1"), "-wi", "3", "-w", "1s", "-i", "5",
                    "-r", "1s", only));
            case "smoke" -> cmd.addAll(List.of("-f", "1", "-wi", "1", "-w", "1s", "-i", "1", "-r", "1s", "-p", "payload=small", "DispatcherBench.dispatch"));
            case "quick" -> cmd.addAll(List.of("-f", "1", "-wi", "2", "-w", "1s", "-i", "3", "-r", "1s"));
            default -> cmd.addAll(List.of("-f", "1", "-wi", "3", "-w", "1s", "-i", "5", "-r", "1s"));
        }
        if (pin) {
            cmd.addAll(0, List.of("taskset", "-c", "1"));
        }
        log("JMH: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("jmh.log").toFile()).start();
        int rc = p.waitFor();
        String text = Files.readString(work.resolve("jmh.log"));
        Matcher m = Pattern.compile("(?m)^Benchmark\\s+.*Mode.*$").matcher(text);
        int at = -1;
        while (m.find()) {
            at = m.start();
        }
        String table = at >= 0 ? text.substring(at).lines()
                .filter(l -> !l.matches(".*:(gc\\.alloc\\.rate|gc\\.count|gc\\.time|gc\\.churn.*) .*"))
                .filter(l -> !l.startsWith("Benchmark result is saved"))
                .collect(Collectors.joining("\n"))
                : "(no JMH results; exit " + rc + ", see " + work.resolve("jmh.log") + ")";
        log("JMH done (exit " + rc + ")\n" + table);
        return "```\n" + table.strip() + "\n```";
    }

    void stopAll() {
        for (ServerProc p : started) {
            if (p != null) {
                p.close();
            }
        }
        started.clear();
        if (redis != null) {
            redis.close(); // after the node, which would otherwise log its lost connection
            redis = null;
        }
    }

    static void log(String message) {
        System.err.printf(Locale.ROOT, "bench [%5.1fs]: %s%n", (System.nanoTime() - T0) / 1e9, message);
    }
}
