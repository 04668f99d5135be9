package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fairness under flood (issue 20, item 3). Our server with security on, every client its own principal (an API
 * key) and the limits an operator would set. Per transport: 20 well-behaved clients call {@code echo} at a modest
 * paced rate, first alone ("quiet"), then while one more principal floods the same transport from another process
 * ({@link Flooder}: max rate, max in flight, large payloads, readers that never read, a new session per
 * connection), then alone again ("after"). The well-behaved clients' latency percentiles of the phases side by side,
 * and who was refused: the target is p99 under flood within 2× of quiet, and the flooder the one refused.
 * Writes {@code flood.md} and {@code flood.json} to the results directory.
 */
final class Flood {

    /** The limits the benchmark runs with; docs/benchmarks.md quotes them. */
    static final String LIMITS = """
            limits:
              max-message-size: 1MiB
              max-in-flight-per-session: 64
              max-sessions-per-principal: 20
              rate:
                per-principal: 100
                per-principal-burst: 200
                global: 5000
                global-burst: 10000
            """;

    /**
     * The WebSocket limit of the same operator: a principal with this many requests running is not read from until one
     * ends, so it cannot queue hundreds of requests ahead of the others' (off by default: a single pipelining client
     * would be bounded too).
     */
    static final int WS_MAX_IN_FLIGHT_PER_PRINCIPAL = 8;

    /**
     * The flooder may go on this long after the measured window, so that the server's heap is measured under flood;
     * it is stopped (its stdin closed) as soon as that is done.
     */
    static final double FLOOD_TAIL = 30;

    private final Bench b;
    private final List<String> transports;
    private final double seconds;
    private final int clients;
    private final double ratePerClient;
    private final int rateConns;
    private final int bigConns;
    private final int slowConns;
    private final int bigBytes;
    private final Map<String, String> keys = new LinkedHashMap<>();
    private ServerProc server;
    /** Every phase's latencies, to pool the phases without flood. */
    private final Map<String, List<Recorder>> recorded = new LinkedHashMap<>();
    private HttpClient wsClient;

    Flood(Bench b) {
        this.b = b;
        this.transports = Results.list(b.opt("flood-transports", "http,tcp,ws", "http,tcp,ws", "http,tcp,ws"));
        this.seconds = Double.parseDouble(b.opt("flood-seconds", "20", "10", "2"));
        this.clients = Integer.parseInt(b.opt("flood-clients", "20", "20", "20"));
        this.ratePerClient = Double.parseDouble(b.opt("flood-client-rate", "20", "20", "20"));
        this.rateConns = Integer.parseInt(b.opt("flood-rate-conns", "16", "16", "4"));
        this.bigConns = Integer.parseInt(b.opt("flood-big-conns", "4", "4", "1"));
        this.slowConns = Integer.parseInt(b.opt("flood-slow-conns", "16", "16", "2"));
        this.bigBytes = Integer.parseInt(b.opt("flood-big-bytes", "524288", "524288", "65536"));
    }

    Map<String, Object> run() throws Exception {
        SecureRandom random = new SecureRandom();
        // a flooding principal per transport: sessions it leaves behind (an HTTP session lives until its idle
        // timeout) must not count against the next transport's flooder under limits.max-sessions-per-principal
        for (String t : transports) {
            keys.put("flooder-" + t, "flood-" + HexFormat.of().formatHex(random.generateSeed(16)));
        }
        for (int i = 1; i <= clients; i++) {
            keys.put(String.format(Locale.ROOT, "client-%02d", i), "wb-" + HexFormat.of().formatHex(random.generateSeed(16)));
        }
        Path home = b.work.resolve("flood-home");
        Files.createDirectories(home.resolve("conf"));
        StringBuilder apiKeys = new StringBuilder();
        keys.forEach((name, key) -> apiKeys.append("    ").append(name).append(":\n      hash: \"sha256:")
                .append(sha256(key)).append("\"\n"));
        Path conf = home.resolve("conf/mcp-server.yaml");
        Files.writeString(conf, """
                # written by the bench: the fairness benchmark's server (every other key at its default)
                server:
                  host: 127.0.0.1
                  shutdown-grace: 2s
                security:
                  enabled: true
                  api-keys:
                %s%s
                transports:
                  stdio:
                    enabled: false
                  tcp:
                    port: 0
                  http:
                    port: 0
                    websocket:
                      max-in-flight-per-principal: %d
                plugins:
                  dir: %s
                  data-dir: %s
                """.formatted(apiKeys, LIMITS, WS_MAX_IN_FLIGHT_PER_PRINCIPAL, b.benchDir.resolve("ours/target/plugins"),
                home.resolve("data")));
        List<String> cmd = new ArrayList<>(b.jvm());
        // its GC pauses and safepoints beside the calm clients' slowest calls (logged with their times per phase)
        cmd.add("-Xlog:gc,safepoint:file=" + b.work.resolve("logs/ours-flood-gc.log") + ":time,uptime");
        cmd.addAll(List.of("-Dmcp.home=" + home, "-cp", b.benchDir.resolve("ours/target/lib") + "/*",
                "io.mcpserver.server.Main", "--config", conf.toString()));
        server = ServerProc.start("ours-flood", cmd, b.work.resolve("logs/ours-flood.log"), false, b.cpusServer());
        b.started.add(server);
        server.awaitReady(60_000);
        Bench.log("flood: server ready " + server.endpoints + "; " + clients + " well-behaved clients at "
                + ratePerClient + " calls/s each; " + seconds + " s per phase; transports " + transports);
        wsClient = WsLoad.client();

        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String t : transports) {
            try {
                rows.addAll(transport(t, problems));
            } catch (Exception e) {
                problems.add(t + ": " + e);
                Bench.log("flood " + t + " failed: " + e);
            }
            if (!server.process.isAlive()) {
                problems.add("the server died during the " + t + " flood (see logs/ours-flood.log)");
                break;
            }
        }
        server.close();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", problems.isEmpty() ? "ok" : "failed: " + String.join("; ", problems));
        result.put("settings", Map.of("clients", clients, "client_rate", ratePerClient, "seconds", seconds,
                "flooder", Map.of("rate_conns", rateConns, "big_conns", bigConns, "slow_conns", slowConns, "big_bytes", bigBytes),
                "limits", LIMITS.strip()));
        result.put("rows", rows);
        String md = markdown(rows);
        result.put("table", md);
        Files.writeString(b.out.resolve("flood.json"), Results.json(result) + "\n");
        Files.writeString(b.out.resolve("flood.md"), md);
        Bench.log("flood:\n" + md);
        return result;
    }

    /** The three phases on one transport, with the same 20 clients (connections and sessions) throughout. */
    List<Map<String, Object>> transport(String t, List<String> problems) throws Exception {
        List<Client> cs = new ArrayList<>();
        try {
            for (Map.Entry<String, String> k : keys.entrySet()) {
                if (!k.getKey().startsWith("flooder")) {
                    cs.add(open(t, k.getKey(), k.getValue()));
                }
            }
            // warm-up, not recorded: the JIT compiles this transport's path before the first measured call
            phase(t, "warm-up", cs, null, Math.min(seconds, 5));
            List<Map<String, Object>> rows = new ArrayList<>();
            rows.add(phase(t, "quiet", cs, null));
            rows.add(phase(t, "flood", cs, t));
            rows.add(phase(t, "after", cs, null));
            // the yardstick: the phases without flood before and after it, pooled (the machine's other load drifts)
            List<Recorder> without = new ArrayList<>(recorded.get(t + "/quiet"));
            without.addAll(recorded.get(t + "/after"));
            Recorder.Summary w = Recorder.merge(without);
            Map<String, Object> flood = rows.get(1);
            flood.put("p99_without_flood_ms", w.p99() / 1000);
            flood.put("p50_without_flood_ms", w.p50() / 1000);
            flood.put("p99_ratio", ((Number) flood.get("p99_ms")).doubleValue() / (w.p99() / 1000));
            Bench.log(String.format(Locale.ROOT, "flood %-4s p99 under flood %.2f ms, without (quiet and after pooled) %.2f ms: ratio %.2f (target <= 2)",
                    t, ((Number) flood.get("p99_ms")).doubleValue(), w.p99() / 1000, flood.get("p99_ratio")));
            for (Map<String, Object> r : rows) {
                if (((Number) r.get("calls")).longValue() == 0) {
                    problems.add(t + "/" + r.get("phase") + ": no well-behaved call completed");
                }
            }
            return rows;
        } finally {
            cs.forEach(Client::close);
        }
    }

    Map<String, Object> phase(String t, String phase, List<Client> cs, String floodTransport) throws Exception {
        return phase(t, phase, cs, floodTransport, seconds);
    }

    Map<String, Object> phase(String t, String phase, List<Client> cs, String floodTransport, double seconds) throws Exception {
        Process flooder = null;
        Path floodOut = b.work.resolve("flooder-" + t + ".json");
        double ramp = floodTransport == null ? 0 : 1.5; // the flooder connects, fills its sessions and queues first
        if (floodTransport != null) {
            ServerProc s = server;
            int port = s.port(t.equals("tcp") ? "tcp" : "http");
            List<String> cmd = new ArrayList<>(List.of(b.java, "-Xmx768m", "-XX:+UseParallelGC", "-cp",
                    b.benchDir.resolve("loadgen/target/classes").toString(), "io.mcpserver.bench.loadgen.Flooder",
                    "--transport", t, "--host", s.host(t.equals("tcp") ? "tcp" : "http"), "--port", Integer.toString(port),
                    "--key", keys.get("flooder-" + t), "--seconds", Double.toString(ramp + seconds + FLOOD_TAIL),
                    "--rate-conns", Integer.toString(rateConns), "--big-conns", Integer.toString(bigConns),
                    "--slow-conns", Integer.toString(slowConns), "--big-bytes", Integer.toString(bigBytes)));
            flooder = new ProcessBuilder(cmd).redirectOutput(floodOut.toFile())
                    .redirectError(b.work.resolve("logs/flooder-" + t + ".log").toFile()).start();
        }
        double load = Machine.loadavg1();
        long srv0 = server.cpuTicks();
        long t0 = System.nanoTime();
        long start = t0 + (long) (ramp * 1e9);
        long end = start + (long) (seconds * 1e9);
        List<Recorder> recs = new ArrayList<>();
        long[] refused = new long[cs.size()];
        long[] errors = new long[cs.size()];
        slowest.clear();
        CountDownLatch done = new CountDownLatch(cs.size());
        long rssMax = 0;
        for (int i = 0; i < cs.size(); i++) {
            Recorder rec = new Recorder();
            recs.add(rec);
            Client c = cs.get(i);
            int at = i;
            Thread.ofVirtual().name("wb-" + i).start(() -> {
                try {
                    pace(c, rec, start, end, refused, errors, at);
                } finally {
                    done.countDown();
                }
            });
        }
        while (!done.await(200, TimeUnit.MILLISECONDS)) {
            rssMax = Math.max(rssMax, server.rssKb());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (server.cpuTicks() - srv0) / wall;
        // what the server holds at the end of the phase, the flooder's connections still open (its slow readers'
        // unread replies included): the live objects a full GC leaves (the class histogram's total; "used" after
        // GC.run would also count what the flood allocated in the second jcmd takes to attach)
        long heapKb = -1;
        try {
            Matcher m = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)")
                    .matcher(Machine.run(List.of(b.jcmd, Long.toString(server.pid()), "GC.class_histogram")));
            heapKb = m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
        } catch (IOException e) {
            Bench.log("flood: live heap: " + e.getMessage());
        }
        Map<String, Object> flood = Map.of();
        if (flooder != null) {
            flooder.getOutputStream().close(); // the flooder stops, reports and exits
            if (!flooder.waitFor(30, TimeUnit.SECONDS)) {
                flooder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String json = Files.exists(floodOut) ? Files.readString(floodOut).strip() : "";
            flood = json.isEmpty() ? Map.of("status", "no report (see logs/flooder-" + t + ".log)") : Map.of("report", json);
        }
        Recorder.Summary sum = Recorder.merge(recs);
        logSlowest(t, phase);
        long refusedTotal = 0;
        long errorsTotal = 0;
        int clientsRefused = 0;
        for (int i = 0; i < cs.size(); i++) {
            refusedTotal += refused[i];
            errorsTotal += errors[i];
            clientsRefused += refused[i] > 0 ? 1 : 0;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("transport", t);
        row.put("phase", phase);
        row.put("calls", sum.calls());
        row.put("p50_ms", sum.p50() / 1000);
        row.put("p99_ms", sum.p99() / 1000);
        row.put("max_ms", sum.max() / 1000);
        row.put("refused", refusedTotal);
        row.put("clients_refused", clientsRefused);
        row.put("errors", errorsTotal);
        row.put("server_cpu_pct", cpu);
        row.put("server_rss_max_mb", rssMax / 1024.0);
        row.put("server_live_heap_mb", heapKb / 1024.0);
        row.put("loadavg1", load);
        row.putAll(flood);
        recorded.put(t + "/" + phase, recs);
        Bench.log(String.format(Locale.ROOT, "flood %-4s %-7s well-behaved: %,d calls p50 %.2f ms p99 %.2f ms max %.1f ms, refused %d (%d clients), errors %d; server cpu %.0f%% rss %.0f MB live heap %.0f MB; load %.2f %s",
                t, phase, sum.calls(), sum.p50() / 1000, sum.p99() / 1000, sum.max() / 1000, refusedTotal, clientsRefused,
                errorsTotal, cpu, rssMax / 1024.0, heapKb / 1024.0, load, flood.isEmpty() ? "" : "flooder: " + flood));
        return row;
    }

    /** The calm calls over {@link #SLOW_MS} of the phase running: when they ended (wall clock) and how long they took. */
    private final java.util.concurrent.ConcurrentLinkedQueue<long[]> slowest = new java.util.concurrent.ConcurrentLinkedQueue<>();
    static final long SLOW_MS = 50;

    /** The phase's ten slowest calm calls with their end times, to line them up with the server's log and GC log. */
    private void logSlowest(String t, String phase) {
        List<long[]> all = new ArrayList<>(slowest);
        if (all.isEmpty()) {
            return;
        }
        all.sort((a, c) -> Long.compare(c[1], a[1]));
        StringBuilder sb = new StringBuilder();
        for (long[] s : all.subList(0, Math.min(10, all.size()))) {
            sb.append(' ').append(java.time.Instant.ofEpochMilli(s[0])).append('=').append(s[1] / 1000.0).append("ms");
        }
        Bench.log("flood " + t + " " + phase + ": " + all.size() + " calm calls over " + SLOW_MS + " ms; slowest (ended at):" + sb);
    }

    /** Calls at the client's pace between start and end; a late call goes at once, none is skipped. */
    void pace(Client c, Recorder rec, long start, long end, long[] refused, long[] errors, int i) {
        long interval = (long) (1e9 / ratePerClient);
        long next = start + ThreadLocalRandom.current().nextLong(interval); // spread the clients over the interval
        long id = 1_000_000L * (i + 1);
        while (true) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            long t0 = System.nanoTime();
            if (t0 >= end) {
                return;
            }
            Outcome o;
            try {
                o = c.call(id++);
            } catch (Exception e) {
                o = Outcome.ERROR;
                c.broken(e);
            }
            long t1 = System.nanoTime();
            if (t1 - t0 > SLOW_MS * 1_000_000 && slowest.size() < 10_000) {
                slowest.add(new long[] {System.currentTimeMillis(), (t1 - t0) / 1_000});
            }
            switch (o) {
                case OK -> rec.record(t1 - t0);
                case REFUSED -> refused[i]++;
                case ERROR -> errors[i]++;
            }
            next = Math.max(next + interval, t1 - interval); // a late call doesn't make the next ones bunch up
        }
    }

    enum Outcome { OK, REFUSED, ERROR }

    static Outcome outcome(int status, byte[] b, int from, int to) {
        if (status == 429 || status == 503) {
            return Outcome.REFUSED;
        }
        if (status == 200 && Workload.isResult(b, from, to)) {
            return Outcome.OK;
        }
        return Workload.indexOf(b, from, Math.min(to, from + 512), Flooder.LIMIT) >= 0 ? Outcome.REFUSED : Outcome.ERROR;
    }

    /** One well-behaved client: its own principal, one connection and session, one call at a time. */
    interface Client {
        Outcome call(long id) throws Exception;

        /** The connection failed: opened again before the next call. */
        void broken(Exception e);

        void close();
    }

    Client open(String t, String name, String key) throws Exception {
        Workload.CallTemplate call = new Workload.CallTemplate("hello, MCP");
        return switch (t) {
            case "http" -> new Client() {
                HttpConn conn;
                String session;
                final HttpConn.Response r = new HttpConn.Response();

                {
                    connect();
                }

                void connect() throws IOException {
                    conn = new HttpConn(server.host("http"), server.port("http"), null);
                    conn.auth("X-API-Key: " + key + "\r\n");
                    session = HttpLoad.openSession(conn, "/mcp", HttpConn.Flavor.SSE);
                }

                public Outcome call(long id) throws Exception {
                    if (conn == null) {
                        connect();
                    }
                    conn.post("/mcp", call.build(id, false), session, HttpConn.Flavor.SSE, r);
                    return outcome(r.status, r.body, 0, r.length);
                }

                public void broken(Exception e) {
                    Bench.log("flood: " + name + " (http): " + e);
                    close();
                    conn = null;
                }

                public void close() {
                    if (conn != null) {
                        conn.delete("/mcp", session);
                        conn.close();
                    }
                }
            };
            case "tcp" -> new Client() {
                LineLoad.Conn conn;

                {
                    connect();
                }

                void connect() throws IOException {
                    conn = LineLoad.Conn.tcp(server.host("tcp"), server.port("tcp"));
                    conn.initialize("ApiKey " + key);
                    conn.out.flush();
                }

                public Outcome call(long id) throws Exception {
                    if (conn == null) {
                        connect();
                    }
                    conn.out.write(call.build(id, true));
                    conn.out.flush();
                    do {
                        conn.in.next();
                    } while (Workload.id(conn.in.buf, conn.in.start, conn.in.end) != id);
                    return outcome(200, conn.in.buf, conn.in.start, conn.in.end);
                }

                public void broken(Exception e) {
                    Bench.log("flood: " + name + " (tcp): " + e);
                    close();
                    conn = null;
                }

                public void close() {
                    if (conn != null) {
                        conn.close();
                    }
                }
            };
            case "ws" -> new Client() {
                WsLoad.Conn conn;

                {
                    connect();
                }

                void connect() throws Exception {
                    conn = WsLoad.Conn.open(wsClient, URI.create("ws://" + server.endpoints.get("http") + "/ws"), key);
                    conn.initialize();
                }

                public Outcome call(long id) throws Exception {
                    if (conn == null) {
                        connect();
                    }
                    byte[] reply = conn.call(call.buildString(id), id).getBytes(StandardCharsets.UTF_8);
                    return outcome(200, reply, 0, reply.length);
                }

                public void broken(Exception e) {
                    Bench.log("flood: " + name + " (ws): " + e);
                    close();
                    conn = null;
                }

                public void close() {
                    if (conn != null) {
                        conn.close();
                    }
                }
            };
            default -> throw new IllegalArgumentException("flood transports: http, tcp, ws, not " + t);
        };
    }

    /** The side-by-side table: per transport, p99 under flood over p99 quiet, and who was refused. */
    static String markdown(List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| transport | phase | well-behaved calls | p50 ms | p99 ms | max ms | p99 flood / p99 without (ms) | well-behaved refused (clients) | errors | flooder: sent / answered / refused / sessions refused / dropped by server | server CPU % | server live heap MB | load avg |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for (Map<String, Object> r : rows) {
            double p99 = ((Number) r.get("p99_ms")).doubleValue();
            String flooder = "";
            if (r.get("report") instanceof String json) {
                flooder = field(json, "sent") + " / " + field(json, "ok") + " / " + field(json, "refused") + " / "
                        + field(json, "connections_refused") + " / " + field(json, "connections_closed_by_server")
                        + " (its CPU " + field(json, "cpu_pct").replaceAll("\\..*", "") + " %)";
            } else if (r.get("status") != null) {
                flooder = String.valueOf(r.get("status"));
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.2f | %.2f | %.1f | %s | %d (%d) | %d | %s | %.0f | %.0f | %.2f |%n",
                    r.get("transport"), r.get("phase"), ((Number) r.get("calls")).longValue(),
                    ((Number) r.get("p50_ms")).doubleValue(), p99, ((Number) r.get("max_ms")).doubleValue(),
                    r.get("p99_ratio") instanceof Double ratio ? String.format(Locale.ROOT, "**%.2f** (vs %.2f)", ratio,
                            ((Number) r.get("p99_without_flood_ms")).doubleValue()) : "",
                    ((Number) r.get("refused")).longValue(), ((Number) r.get("clients_refused")).intValue(),
                    ((Number) r.get("errors")).longValue(), flooder,
                    ((Number) r.get("server_cpu_pct")).doubleValue(), ((Number) r.get("server_live_heap_mb")).doubleValue(),
                    ((Number) r.get("loadavg1")).doubleValue()));
        }
        return sb.toString();
    }

    private static String field(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*([0-9.]+)").matcher(json);
        return m.find() ? m.group(1) : "?";
    }

    /** What {@code security.api-keys.<name>.hash} holds for a key: 64 hex digits of its SHA-256. */
    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
