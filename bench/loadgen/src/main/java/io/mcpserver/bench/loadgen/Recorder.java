package io.mcpserver.bench.loadgen;

import java.util.Arrays;
import java.util.List;

/** Latencies of one worker (no sharing, no locks); merged at the end of a cell. */
final class Recorder {

    private long[] nanos = new long[1 << 14];
    private int size;
    long errors;

    void record(long latencyNanos) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        nanos[size++] = latencyNanos;
    }

    int size() {
        return size;
    }

    /** Count, errors and percentiles (µs) of the merged recorders. */
    record Summary(long calls, long errors, double p50, double p90, double p99, double p999, double max, double mean) {
    }

    static Summary merge(List<Recorder> recorders) {
        int total = 0;
        long errors = 0;
        for (Recorder r : recorders) {
            total += r.size;
            errors += r.errors;
        }
        long[] all = new long[total];
        int at = 0;
        for (Recorder r : recorders) {
            System.arraycopy(r.nanos, 0, all, at, r.size);
            at += r.size;
        }
        if (total == 0) {
            return new Summary(0, errors, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        Arrays.sort(all);
        double sum = 0;
        for (long v : all) {
            sum += v;
        }
        return new Summary(total, errors, pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), pct(all, 0.999),
                all[total - 1] / 1000.0, sum / total / 1000.0);
    }

    private static double pct(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
    }
}
