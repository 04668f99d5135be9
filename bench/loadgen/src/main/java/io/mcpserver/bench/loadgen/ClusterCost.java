package io.mcpserver.bench.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code cluster.enabled} costs one node (issue 19 item 7: at least 80 % of the throughput without it): the
 * medians of "cluster" (ours with cluster.enabled on a local Redis) over "ours" (the same server and configuration
 * without it), cell by cell, measured back to back in the same run.
 */
final class ClusterCost {

    private ClusterCost() {
    }

    /** The table and its summary line; null when the run has no cell measured on both. */
    static String markdown(List<Results.Row> medians) {
        StringBuilder sb = new StringBuilder();
        List<Double> ratios = new ArrayList<>();
        double sumOurs = 0;
        double sumCluster = 0;
        sb.append("| transport | mode | payload | c | without calls/s | with calls/s | with/without | without p99 µs | with p99 µs | load1 |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Results.Row c : medians) {
            if (!c.server().equals("cluster")) {
                continue;
            }
            Results.Row o = Results.find(medians, c.transport(), c.mode(), "ours", c.payload(), c.concurrency());
            if (o == null || !(o.throughput() > 0) || Double.isNaN(c.throughput())) {
                continue;
            }
            double ratio = c.throughput() / o.throughput();
            ratios.add(ratio);
            sumOurs += o.throughput();
            sumCluster += c.throughput();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %.2f | %s | %s | %.2f |%n",
                    c.transport(), c.mode(), c.payload(), c.concurrency(), Results.fmt(o.throughput()),
                    Results.fmt(c.throughput()), ratio, Results.fmt(o.p99()), Results.fmt(c.p99()),
                    (o.loadavg1() + c.loadavg1()) / 2));
        }
        if (ratios.isEmpty()) {
            return null;
        }
        double geo = Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(0));
        sb.append(String.format(Locale.ROOT, "%nwith/without over %d cells: min %.2f, max %.2f, geometric mean %.2f,"
                        + " total calls %.2f (target: at least 0.80)%n", ratios.size(),
                ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), geo, sumCluster / sumOurs));
        return sb.toString();
    }
}
