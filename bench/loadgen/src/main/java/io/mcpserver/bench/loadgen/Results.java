package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Rows of measurements, their medians over repetitions, and how they are written (CSV, JSON, Markdown). */
final class Results {

    /** One measured cell. Latencies in µs; CPU in % of one core (200 = both cores of this machine). */
    record Row(int rep, String transport, String mode, String server, String payload, int concurrency,
               long calls, long errors, double seconds, double throughput, double p50, double p90, double p99,
               double p999, double max, double clientCpu, double serverCpu, double otherCpu, double loadavg1,
               String status) {

        String key() {
            return transport + "|" + mode + "|" + server + "|" + payload + "|" + concurrency;
        }
    }

    static final String HEADER = "rep,transport,mode,server,payload,concurrency,calls,errors,seconds,calls_per_s,"
            + "p50_us,p90_us,p99_us,p999_us,max_us,client_cpu_pct,server_cpu_pct,other_cpu_pct,loadavg1,status";

    static String csv(Row r) {
        return String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%d,%d,%d,%.2f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.2f,%s",
                r.rep, r.transport, r.mode, r.server, r.payload, r.concurrency, r.calls, r.errors, r.seconds,
                r.throughput, r.p50, r.p90, r.p99, r.p999, r.max, r.clientCpu, r.serverCpu, r.otherCpu, r.loadavg1,
                r.status.replace(',', ';'));
    }

    /** The median over repetitions of each cell (runs that failed are left out). */
    static List<Row> medians(List<Row> rows) {
        Map<String, List<Row>> byKey = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.status.equals("ok")) {
                byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Row> out = new ArrayList<>();
        for (List<Row> g : byKey.values()) {
            Row f = g.get(0);
            out.add(new Row(g.size(), f.transport, f.mode, f.server, f.payload, f.concurrency,
                    (long) median(g, Row::calls), (long) median(g, Row::errors), median(g, Row::seconds),
                    median(g, Row::throughput), median(g, Row::p50), median(g, Row::p90), median(g, Row::p99),
                    median(g, Row::p999), median(g, Row::max), median(g, Row::clientCpu), median(g, Row::serverCpu),
                    median(g, Row::otherCpu), median(g, Row::loadavg1), "median of " + g.size()));
        }
        return out;
    }

    interface Field {
        double of(Row r);
    }

    static double median(Collection<Row> rows, Field f) {
        double[] v = rows.stream().mapToDouble(f::of).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static Row find(List<Row> medians, String transport, String mode, String server, String payload, int c) {
        for (Row r : medians) {
            if (r.transport.equals(transport) && r.mode.equals(mode) && r.server.equals(server)
                    && r.payload.equals(payload) && r.concurrency == c) {
                return r;
            }
        }
        return null;
    }

    static void writeCsv(Path file, List<Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        rows.forEach(r -> sb.append(csv(r)).append('\n'));
        Files.writeString(file, sb);
    }

    /** Reads a runs.csv back (for --replot). */
    static List<Row> readCsv(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("rep,")) {
                continue;
            }
            String[] f = line.split(",", -1);
            rows.add(new Row(Integer.parseInt(f[0]), f[1], f[2], f[3], f[4], Integer.parseInt(f[5]), Long.parseLong(f[6]),
                    Long.parseLong(f[7]), d(f[8]), d(f[9]), d(f[10]), d(f[11]), d(f[12]), d(f[13]), d(f[14]), d(f[15]),
                    d(f[16]), d(f[17]), d(f[18]), f[19]));
        }
        return rows;
    }

    private static double d(String s) {
        return s.equals("NaN") ? Double.NaN : Double.parseDouble(s);
    }

    static String json(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            return sb.append('"').toString();
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.2f", d);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> json(e.getKey().toString()) + ":" + json(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(Results::json).collect(Collectors.joining(",\n ", "[", "]"));
        }
        if (v instanceof Row r) {
            Map<String, Object> m = new LinkedHashMap<>();
            String[] names = HEADER.split(",");
            Object[] values = {r.rep, r.transport, r.mode, r.server, r.payload, r.concurrency, r.calls, r.errors,
                    r.seconds, r.throughput, r.p50, r.p90, r.p99, r.p999, r.max, r.clientCpu, r.serverCpu, r.otherCpu,
                    r.loadavg1, r.status};
            for (int i = 0; i < names.length; i++) {
                m.put(names[i], values[i]);
            }
            return json(m);
        }
        return json(v.toString());
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    /** Markdown tables: HTTP side by side with ratios, then every other cell. */
    static String markdown(List<Row> medians, List<String> payloads, List<Integer> concurrencies) {
        StringBuilder sb = new StringBuilder();
        sb.append("### Streamable HTTP, tools/call echo: ours vs the official SDK vs plain Helidon (medians)\n\n");
        sb.append("ours: JSON reply (client accepts application/json); ours SSE: the same call when the client lists both "
                + "types (the reply is an event stream, as the SDK's always is).\n\n");
        sb.append("| payload | c | ours calls/s | ours SSE calls/s | SDK calls/s | limit calls/s | ours/SDK | ours SSE/SDK | ours/limit | ours p99 µs | ours SSE p99 µs | SDK p99 µs | limit p99 µs |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String p : payloads) {
            for (int c : concurrencies) {
                Row o = find(medians, "http", "conns", "ours", p, c);
                Row s = find(medians, "http", "conns", "sdk", p, c);
                Row l = find(medians, "http", "conns", "limit", p, c);
                Row e = find(medians, "http", "sse", "ours", p, c);
                double ot = o == null ? Double.NaN : o.throughput;
                double et = e == null ? Double.NaN : e.throughput;
                double st = s == null ? Double.NaN : s.throughput;
                double lt = l == null ? Double.NaN : l.throughput;
                sb.append("| ").append(p).append(" | ").append(c).append(" | ")
                        .append(fmt(ot)).append(" | ").append(fmt(et)).append(" | ")
                        .append(fmt(st)).append(" | ").append(fmt(lt)).append(" | ")
                        .append(ratio(ot, st)).append(" | ").append(ratio(et, st)).append(" | ")
                        .append(ratio(ot, lt)).append(" | ")
                        .append(fmt(o == null ? Double.NaN : o.p99)).append(" | ")
                        .append(fmt(e == null ? Double.NaN : e.p99)).append(" | ")
                        .append(fmt(s == null ? Double.NaN : s.p99)).append(" | ")
                        .append(fmt(l == null ? Double.NaN : l.p99)).append(" |\n");
            }
        }
        boolean wrk = medians.stream().anyMatch(r -> r.mode.endsWith("-wrk"));
        if (wrk) {
            sb.append("\n### Cross-check: the same HTTP cells (c=64) driven by wrk instead of the Java generator\n\n");
            sb.append("| payload | server | reply | Java generator calls/s | wrk calls/s | Java p99 µs | wrk p99 µs |\n");
            sb.append("|---|---|---|---:|---:|---:|---:|\n");
            for (String p : payloads) {
                for (String[] sm : new String[][] {{"ours", "conns", "JSON"}, {"ours", "sse", "SSE"}, {"sdk", "conns", "SSE"}, {"limit", "conns", "JSON"}}) {
                    Row j = find(medians, "http", sm[1], sm[0], p, 64);
                    Row w = find(medians, "http", sm[1] + "-wrk", sm[0], p, 64);
                    if (j == null && w == null) {
                        continue;
                    }
                    sb.append("| ").append(p).append(" | ").append(sm[0]).append(" | ").append(sm[2]).append(" | ")
                            .append(fmt(j == null ? Double.NaN : j.throughput)).append(" | ")
                            .append(fmt(w == null ? Double.NaN : w.throughput)).append(" | ")
                            .append(fmt(j == null ? Double.NaN : j.p99)).append(" | ")
                            .append(fmt(w == null ? Double.NaN : w.p99)).append(" |\n");
                }
            }
        }
        sb.append("\n### Every cell (medians over repetitions)\n\n");
        sb.append("| transport | mode | server | payload | c | runs | calls/s | p50 µs | p99 µs | p99.9 µs | errors | client CPU % | server CPU % | other CPU % | load1 |\n");
        sb.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : medians) {
            sb.append("| ").append(String.join(" | ", r.transport, r.mode, r.server, r.payload,
                    Integer.toString(r.concurrency), Integer.toString(r.rep), fmt(r.throughput), fmt(r.p50),
                    fmt(r.p99), fmt(r.p999), Long.toString(r.errors), fmt(r.clientCpu), fmt(r.serverCpu),
                    fmt(r.otherCpu), String.format(Locale.ROOT, "%.2f", r.loadavg1))).append(" |\n");
        }
        return sb.toString();
    }

    static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
