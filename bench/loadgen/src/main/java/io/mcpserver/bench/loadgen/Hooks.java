package io.mcpserver.bench.loadgen;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Issue 16: what a request pays for the interceptor SPI, the authentication SPI with API keys, tracing and
 * compression when none is configured, shown against the noise of the same run. Our server (as shipped: the
 * bundled plugins and the interceptors plugin, unconfigured) four times over, each a process of its own, measured
 * back to back in rotating order, cell by cell:
 * <ul>
 *   <li>{@code none-a}, {@code none-b}: the same server twice, nothing configured (an A/A pair: their difference is
 *       the run's noise);</li>
 *   <li>{@code bare}: nothing of the four features on the path that configuration can remove (compression off, no
 *       interceptors plugin);</li>
 *   <li>{@code all}: everything configured: API keys (security on, audit off), tracing to an OTLP receiver that
 *       accepts (in this process, every request sampled), compression with a client asking for gzip and sending a
 *       {@code traceparent}, the interceptors plugin's redacting argument log and result cache.</li>
 * </ul>
 * Over HTTP, {@code none-a} is also measured with a client that asks for gzip ({@code none-gzip-client}: Node's
 * fetch does, on every request) — compression is on by default, so that is the path such clients take. Every server
 * logs the classes it loads ({@code -Xlog:class+load}); the classes of the four features loaded while requests ran
 * are listed per server. Writes {@code hooks.md} and {@code hooks.json}.
 */
final class Hooks {

    /**
     * One measured column: a server and what its clients send; {@code uses}: the features its clients make the server
     * use (their classes may load in that server).
     */
    record Variant(String name, String server, boolean httpOnly, boolean credentials, String httpHeaders,
                   List<String> uses) {
    }

    /** Classes of the four features that must not be loaded on the request path when they are off. */
    static final Map<String, List<String>> FEATURE_CLASSES = new LinkedHashMap<>();

    static {
        FEATURE_CLASSES.put("tracing", List.of("io.opentelemetry.", "io.mcpserver.server.observe.tracing."));
        FEATURE_CLASSES.put("compression", List.of("java.util.zip.GZIPOutputStream", "java.util.zip.DeflaterOutputStream",
                "io.mcpserver.server.transport.http.ResponseCompression$CompressingStream"));
        FEATURE_CLASSES.put("interceptors", List.of("io.mcpserver.server.intercept.PluginInterceptors$Run",
                "io.mcpserver.spi.intercept.InterceptedRequest", "io.mcpserver.plugins.interceptors.ArgumentLog",
                "io.mcpserver.plugins.interceptors.ResultCache"));
        FEATURE_CLASSES.put("auth", List.of("io.mcpserver.server.security.ApiKeyChecker",
                "io.mcpserver.server.security.BearerEdge", "io.mcpserver.server.security.CredentialCheckers$PluggedChecker",
                "io.mcpserver.server.security.PresentedCredential", "io.mcpserver.spi.auth.Credential "));
    }

    private final Bench b;
    private final List<String> transports;
    private final int reps;
    private final double duration;
    private final double ramp;
    private final double warmup;
    private final int concurrency;
    private final String apiKey = "hk-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final Map<String, ServerProc> servers = new LinkedHashMap<>();
    private final Map<String, Path> classLogs = new LinkedHashMap<>();
    private final Map<String, Long> classLogMarks = new LinkedHashMap<>();
    private final List<Variant> variants = new ArrayList<>();
    private HttpServer otlp;
    private final AtomicLong exports = new AtomicLong();
    private final AtomicLong exportedBytes = new AtomicLong();
    private HttpClient wsClient;

    Hooks(Bench b) {
        this.b = b;
        this.transports = Results.list(b.opt("hooks-transports", "http,ws,tcp", "http,ws,tcp", "http,ws,tcp"));
        this.reps = Integer.parseInt(b.opt("hooks-reps", "5", "3", "1"));
        this.duration = Double.parseDouble(b.opt("hooks-duration", "4", "3", "0.5"));
        this.ramp = Double.parseDouble(b.opt("hooks-ramp", "1", "1", "0.2"));
        this.warmup = Double.parseDouble(b.opt("hooks-warmup", "5", "3", "0.5"));
        this.concurrency = Integer.parseInt(b.opt("hooks-concurrency", "16", "16", "4"));
        String traceparent = "00-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16)) + "-"
                + HexFormat.of().formatHex(new SecureRandom().generateSeed(8)) + "-01";
        variants.add(new Variant("none-a", "none-a", false, false, "", List.of()));
        variants.add(new Variant("none-b", "none-b", false, false, "", List.of()));
        variants.add(new Variant("bare", "bare", false, false, "", List.of()));
        // compression is on by default: a client that asks for it gets it (its 64 KiB check reply is compressed)
        variants.add(new Variant("none-gzip-client", "none-a", true, false, "Accept-Encoding: gzip, deflate\r\n",
                List.of("compression")));
        variants.add(new Variant("all", "all", false, true, "X-API-Key: " + apiKey + "\r\nAccept-Encoding: gzip, deflate\r\n"
                + "traceparent: " + traceparent + "\r\n", List.copyOf(FEATURE_CLASSES.keySet())));
    }

    Map<String, Object> run() throws Exception {
        startOtlp();
        wsClient = WsLoad.client();
        Path home = b.work.resolve("hooks-home");
        Files.createDirectories(home.resolve("conf"));
        Path shipped = home.resolve("plugins"); // the bundled plugins and the interceptors plugin, as dist ships them
        Files.createDirectories(shipped);
        Path extra = b.benchDir.resolve("ours/target/extra-plugins/mcp-plugin-interceptors.jar");
        try (Stream<Path> jars = Files.list(b.benchDir.resolve("ours/target/plugins"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, shipped.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(extra, shipped.resolve("interceptors.jar"), StandardCopyOption.REPLACE_EXISTING);
        Path plain = b.benchDir.resolve("ours/target/plugins");

        start("none-a", home, config(shipped, home, "", "", ""));
        start("none-b", home, config(shipped, home, "", "", ""));
        start("bare", home, config(plain, home, """
                    compression:
                      enabled: false
                """, "", ""));
        start("all", home, config(shipped, home, """
                    compression:
                      enabled: true
                """, """
                  interceptors:
                    log-arguments: true
                    cache-results: true
                """, """
                security:
                  enabled: true
                  api-keys:
                    bench:
                      hash: "sha256:%s"
                audit:
                  enabled: false
                tracing:
                  enabled: true
                  otlp:
                    endpoint: http://127.0.0.1:%d/v1/traces
                  sampling-ratio: 1.0
                """.formatted(Flood.sha256(apiKey), otlp.getAddress().getPort())));
        Bench.log("hooks: servers ready " + servers.keySet() + "; transports " + transports + ", c=" + concurrency
                + ", " + reps + " reps of " + duration + " s; OTLP receiver on port " + otlp.getAddress().getPort());

        String text = Workload.text("small");
        List<String> problems = new ArrayList<>();
        for (Variant v : variants) {
            for (String t : transports) {
                if (applies(v, t)) {
                    try {
                        verify(v, t, text);
                        verify(v, t, Workload.text("64k")); // compressed for "all": the client decodes it
                    } catch (Exception e) {
                        problems.add(v.name + "/" + t + ": echo check failed: " + e);
                    }
                }
            }
        }
        for (String t : transports) {
            for (Variant v : variants) {
                if (applies(v, t)) {
                    Bench.log(String.format(Locale.ROOT, "hooks: warm-up %s %s c=%d for %.1f s", t, v.name, concurrency, warmup));
                    try {
                        cell(v, t, text, concurrency, 0, warmup);
                    } catch (Exception e) {
                        Bench.log("hooks: warm-up failed: " + e);
                    }
                }
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int rep = 1; rep <= reps; rep++) {
            for (String t : transports) {
                List<Variant> vs = variants.stream().filter(v -> applies(v, t)).toList();
                for (int k = 0; k < vs.size(); k++) {
                    Variant v = vs.get((k + rep - 1) % vs.size()); // rotate who goes first
                    Map<String, Object> row = measure(rep, v, t, text);
                    rows.add(row);
                    if (!"ok".equals(row.get("status")) || ((Number) row.get("errors")).longValue() > 0) {
                        problems.add(v.name + "/" + t + " rep " + rep + ": " + row.get("status") + ", errors " + row.get("errors"));
                    }
                }
            }
        }
        Map<String, Object> classes = new LinkedHashMap<>();
        for (String s : servers.keySet()) {
            classes.put(s, loadedDuringRequests(s));
        }
        for (ServerProc p : servers.values()) {
            p.close();
        }
        otlp.stop(0);
        if (exports.get() == 0) {
            problems.add("tracing: the OTLP receiver got no export from \"all\"");
        }
        for (String s : servers.keySet()) {
            @SuppressWarnings("unchecked")
            Map<String, List<String>> found = new LinkedHashMap<>((Map<String, List<String>>) classes.get(s));
            variants.stream().filter(v -> v.server.equals(s)).forEach(v -> v.uses.forEach(found::remove));
            if (!found.isEmpty()) {
                problems.add(s + ": classes of a feature its clients did not use were loaded during requests: " + found);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, List<String>> control = (Map<String, List<String>>) classes.get("all");
        if (control != null && !control.keySet().containsAll(List.of("tracing", "compression", "interceptors"))) {
            // the control: with everything on, the check must see the features' classes load while serving
            problems.add("all: the class check did not see tracing, compression and interceptors load: " + control);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", problems.isEmpty() ? "ok" : "failed: " + String.join("; ", problems));
        result.put("settings", Map.of("transports", transports, "reps", reps, "duration_s", duration, "ramp_s", ramp,
                "warmup_s", warmup, "concurrency", concurrency, "payload", "small"));
        result.put("otlp", Map.of("exports", exports.get(), "bytes", exportedBytes.get()));
        result.put("rows", rows);
        result.put("classes_loaded_during_requests", classes);
        String md = markdown(rows, classes);
        result.put("table", md);
        Files.writeString(b.out.resolve("hooks.json"), Results.json(result) + "\n");
        Files.writeString(b.out.resolve("hooks.md"), md);
        Bench.log("hooks (" + result.get("status") + "):\n" + md);
        return result;
    }

    private static boolean applies(Variant v, String transport) {
        return !v.httpOnly || transport.equals("http");
    }

    private String config(Path plugins, Path home, String http, String pluginSections, String top) {
        return """
                # written by the bench (issue 16's comparison); every other key at its default
                server:
                  host: 127.0.0.1
                  shutdown-grace: 2s
                limits:
                  max-in-flight-per-session: 1024
                  # counted only with security on ("all"): every connection of the run is the one API key's
                  max-sessions-per-principal: 100000
                transports:
                  stdio:
                    enabled: false
                  tcp:
                    port: 0
                    max-connections: 100000
                  http:
                    port: 0
                    max-sessions: 100000
                %splugins:
                  dir: %s
                  data-dir: %s
                %s%s""".formatted(http, plugins, home.resolve("data"), pluginSections, top);
    }

    private void start(String name, Path home, String yaml) throws Exception {
        Path conf = home.resolve("conf/mcp-server-" + name + ".yaml");
        Files.writeString(conf, yaml);
        Path classLog = b.work.resolve("logs/hooks-" + name + "-classes.log");
        Files.createDirectories(classLog.getParent());
        Files.deleteIfExists(classLog);
        List<String> cmd = new ArrayList<>(b.jvm());
        // every server logs its classes, so that the four differ in configuration only
        cmd.add("-Xlog:class+load=info:file=" + classLog);
        cmd.addAll(List.of("-Dmcp.home=" + home, "-cp", b.benchDir.resolve("ours/target/lib") + "/*",
                "io.mcpserver.server.Main", "--config", conf.toString()));
        ServerProc p = ServerProc.start("hooks-" + name, cmd, b.work.resolve("logs/hooks-" + name + ".log"), false,
                b.cpusServer());
        b.started.add(p);
        p.awaitReady(60_000);
        servers.put(name, p);
        classLogs.put(name, classLog);
        classLogMarks.put(name, Files.exists(classLog) ? Files.size(classLog) : 0);
    }

    private void verify(Variant v, String t, String text) throws Exception {
        ServerProc p = servers.get(v.server);
        switch (t) {
            case "http" -> HttpLoad.verify(p.host("http"), p.port("http"), "/mcp", HttpConn.Flavor.JSON, text, v.httpHeaders);
            case "ws" -> WsLoad.verify(wsClient, URI.create("ws://" + p.endpoints.get("http") + "/ws"), text,
                    v.credentials ? apiKey : null);
            case "tcp" -> {
                try (LineLoad.Conn c = LineLoad.Conn.tcp(p.host("tcp"), p.port("tcp"))) {
                    c.initialize(v.credentials ? "ApiKey " + apiKey : null);
                    c.verify(text);
                }
            }
            default -> throw new IllegalArgumentException("hooks transports: http, ws, tcp; not " + t);
        }
    }

    private Recorder.Summary cell(Variant v, String t, String text, int c, double rampSeconds, double seconds)
            throws Exception {
        ServerProc p = servers.get(v.server);
        return switch (t) {
            case "http" -> HttpLoad.run(p.host("http"), p.port("http"), "/mcp", HttpConn.Flavor.JSON, text, c,
                    rampSeconds, seconds, v.httpHeaders);
            case "ws" -> WsLoad.connections(wsClient, URI.create("ws://" + p.endpoints.get("http") + "/ws"), text, c,
                    rampSeconds, seconds, v.credentials ? apiKey : null);
            case "tcp" -> LineLoad.connections(p.host("tcp"), p.port("tcp"), text, c, rampSeconds, seconds,
                    v.credentials ? "ApiKey " + apiKey : null);
            default -> throw new IllegalArgumentException(t);
        };
    }

    private Map<String, Object> measure(int rep, Variant v, String t, String text) {
        ServerProc server = servers.get(v.server);
        double load = Machine.loadavg1();
        long srv0 = server.cpuTicks();
        long t0 = System.nanoTime();
        Recorder.Summary sum;
        String status = "ok";
        try {
            sum = cell(v, t, text, concurrency, ramp, duration);
        } catch (Exception e) {
            status = "failed: " + e.getMessage();
            sum = new Recorder.Summary(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double serverCpu = (server.cpuTicks() - srv0) / wall; // % of a core over the cell, ramp included
        double throughput = sum.calls() / duration;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rep", rep);
        row.put("transport", t);
        row.put("variant", v.name);
        row.put("calls_per_s", throughput);
        // CPU per call: the cell's server CPU over the calls of the whole cell (ramp and measured window)
        row.put("server_cpu_us_per_call", sum.calls() == 0 ? Double.NaN
                : serverCpu / 100 * wall * 1e6 / (throughput * (duration + ramp)));
        row.put("p50_us", sum.p50());
        row.put("p99_us", sum.p99());
        row.put("errors", sum.errors());
        row.put("server_cpu_pct", serverCpu);
        row.put("loadavg1", load);
        row.put("status", status);
        Bench.log(String.format(Locale.ROOT, "hooks rep %d %-4s %-16s %,9.0f calls/s  server %5.1f µs CPU/call  p50 %,6.0f µs  p99 %,7.0f µs  err %d  load %.2f  %s",
                rep, t, v.name, throughput, row.get("server_cpu_us_per_call"), sum.p50(), sum.p99(), sum.errors(), load, status));
        return row;
    }

    /** The feature classes a server loaded after it was ready, i.e. while the requests of the run were served. */
    private Map<String, List<String>> loadedDuringRequests(String server) throws IOException {
        Path log = classLogs.get(server);
        Map<String, List<String>> found = new LinkedHashMap<>();
        if (!Files.exists(log)) {
            return Map.of("(no class log)", List.of(log.toString()));
        }
        String text = Files.readString(log);
        String after = text.substring((int) Math.min(text.length(), classLogMarks.get(server)));
        for (String line : after.lines().toList()) {
            int at = line.indexOf("[class,load] ");
            if (at < 0) {
                continue;
            }
            String rest = line.substring(at + "[class,load] ".length());
            String name = rest.contains(" ") ? rest.substring(0, rest.indexOf(' ')) : rest;
            for (Map.Entry<String, List<String>> f : FEATURE_CLASSES.entrySet()) {
                for (String prefix : f.getValue()) {
                    boolean exact = prefix.endsWith(" ");
                    if (exact ? name.equals(prefix.strip()) : name.startsWith(prefix)) {
                        found.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(name);
                    }
                }
            }
        }
        // a summary, not every OpenTelemetry class: how many, and the first few
        Map<String, List<String>> shown = new LinkedHashMap<>();
        found.forEach((k, names) -> shown.put(k, names.size() <= 4 ? names
                : Stream.concat(names.stream().limit(4), Stream.of("… " + names.size() + " classes in all")).toList()));
        return shown;
    }

    private void startOtlp() throws IOException {
        otlp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        otlp.createContext("/v1/traces", exchange -> { // accepts every export: an empty ExportTraceServiceResponse
            exportedBytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
            exports.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        otlp.start();
    }

    // ---- the tables --------------------------------------------------------------------------------------------

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().filter(x -> !x.isNaN()).sorted().toList();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double value(List<Map<String, Object>> rows, int rep, String t, String variant, String key) {
        return rows.stream().filter(r -> (int) r.get("rep") == rep && r.get("transport").equals(t)
                        && r.get("variant").equals(variant))
                .mapToDouble(r -> ((Number) r.get(key)).doubleValue()).findFirst().orElse(Double.NaN);
    }

    /**
     * Per transport: medians of each variant, then the verdict. The A/A band is the largest deviation from 1 of
     * none-b/none-a over the repetitions (each rep's pair measured back to back); the none-configured overhead is
     * 1 - median(none/bare), "none" being the mean of the A/A pair in that rep. Within noise: the overhead's
     * magnitude is at most the band.
     */
    String markdown(List<Map<String, Object>> rows, Map<String, Object> classes) {
        StringBuilder sb = new StringBuilder();
        List<String> names = variants.stream().map(Variant::name).toList();
        sb.append("Throughput (calls/s, median of the repetitions) and the server's CPU per call (µs), small echo, c=")
                .append(concurrency).append(":\n\n| transport | ");
        names.forEach(n -> sb.append(n).append(" | "));
        sb.append("load1 |\n|---|");
        names.forEach(n -> sb.append("---|"));
        sb.append("---|\n");
        int maxRep = rows.stream().mapToInt(r -> (int) r.get("rep")).max().orElse(0);
        List<String> verdicts = new ArrayList<>();
        for (String t : transports) {
            sb.append("| ").append(t).append(" | ");
            for (String n : names) {
                List<Double> tp = new ArrayList<>();
                List<Double> cpu = new ArrayList<>();
                for (int rep = 1; rep <= maxRep; rep++) {
                    tp.add(value(rows, rep, t, n, "calls_per_s"));
                    cpu.add(value(rows, rep, t, n, "server_cpu_us_per_call"));
                }
                double m = median(tp);
                sb.append(Double.isNaN(m) ? "–" : String.format(Locale.ROOT, "%,.0f (%.1f µs)", m, median(cpu))).append(" | ");
            }
            List<Double> loads = rows.stream().filter(r -> r.get("transport").equals(t))
                    .map(r -> ((Number) r.get("loadavg1")).doubleValue()).toList();
            sb.append(String.format(Locale.ROOT, "%.1f |%n", median(loads)));

            double band = 0;
            List<Double> aa = new ArrayList<>();
            List<Double> none = new ArrayList<>();
            List<Double> all = new ArrayList<>();
            List<Double> gzip = new ArrayList<>();
            for (int rep = 1; rep <= maxRep; rep++) {
                double a = value(rows, rep, t, "none-a", "calls_per_s");
                double bb = value(rows, rep, t, "none-b", "calls_per_s");
                double bare = value(rows, rep, t, "bare", "calls_per_s");
                aa.add(bb / a);
                band = Math.max(band, Math.abs(bb / a - 1));
                none.add((a + bb) / 2 / bare);
                all.add(value(rows, rep, t, "all", "calls_per_s") / ((a + bb) / 2));
                gzip.add(value(rows, rep, t, "none-gzip-client", "calls_per_s") / a);
            }
            double overhead = 1 - median(none);
            boolean within = Math.abs(overhead) <= band;
            verdicts.add(String.format(Locale.ROOT, "- %s: A/A none-b/none-a per rep %s (band ±%.1f %%); none configured "
                            + "vs bare: %+.1f %% throughput (median over reps) → %s; everything configured: %.2f× the "
                            + "throughput of none%s",
                    t, aa.stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toList(), band * 100, -overhead * 100,
                    within ? "within noise" : "OUTSIDE the noise band", median(all),
                    t.equals("http") ? String.format(Locale.ROOT, "; a client asking for gzip (small bodies, not "
                            + "compressed): %.3f× none-a's", median(gzip)) : ""));
        }
        sb.append("\n").append(String.join("\n", verdicts)).append("\n\nFeature classes loaded while requests ran "
                + "(after the ready line; -Xlog:class+load):\n\n");
        classes.forEach((s, found) -> sb.append("- ").append(s).append(": ")
                .append(found instanceof Map<?, ?> m && m.isEmpty() ? "none" : found).append('\n'));
        return sb.toString();
    }
}
