package io.mcpserver.bench.loadgen;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results as grouped bar charts in one PNG, drawn with java.awt (headless). */
final class Chart {

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf)};

    private Chart() {
    }

    record Series(String name, double[] values) {
    }

    static void write(Path file, List<Results.Row> medians, List<String> payloads, List<Integer> cs,
                      Map<String, Object> machine) throws IOException {
        List<String> titles = new ArrayList<>();
        List<List<Series>> panels = new ArrayList<>();
        List<String> units = new ArrayList<>();
        for (String p : payloads) {
            titles.add("Streamable HTTP tools/call echo (" + p + "): calls/s, higher is better");
            units.add("calls/s");
            panels.add(List.of(series("ours (JSON reply)", medians, "http", "conns", "ours", p, cs, false),
                    series("ours (SSE reply)", medians, "http", "sse", "ours", p, cs, false),
                    series("official SDK (SSE reply)", medians, "http", "conns", "sdk", p, cs, false),
                    series("limit (plain Helidon)", medians, "http", "conns", "limit", p, cs, false)));
        }
        titles.add("Streamable HTTP tools/call echo (small): p99 latency µs, lower is better");
        units.add("µs");
        panels.add(List.of(series("ours (JSON reply)", medians, "http", "conns", "ours", "small", cs, true),
                series("ours (SSE reply)", medians, "http", "sse", "ours", "small", cs, true),
                series("official SDK (SSE reply)", medians, "http", "conns", "sdk", "small", cs, true),
                series("limit (plain Helidon)", medians, "http", "conns", "limit", "small", cs, true)));
        titles.add("Ours on every transport (small): calls/s (c = connections, or requests in flight when pipelined)");
        units.add("calls/s");
        panels.add(List.of(series("HTTP JSON", medians, "http", "conns", "ours", "small", cs, false),
                series("HTTP SSE", medians, "http", "sse", "ours", "small", cs, false),
                series("WS conns", medians, "ws", "conns", "ours", "small", cs, false),
                series("WS pipelined", medians, "ws", "pipelined", "ours", "small", cs, false),
                series("TCP conns", medians, "tcp", "conns", "ours", "small", cs, false),
                series("TCP pipelined", medians, "tcp", "pipelined", "ours", "small", cs, false),
                series("stdio pipelined", medians, "stdio", "pipelined", "ours", "small", cs, false)));

        int w = 1500;
        int ph = 330;
        int h = 60 + ph * panels.size();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("MCP server benchmarks: medians; " + machine.getOrDefault("nproc", "?") + " cores, "
                + machine.getOrDefault("cpu_model", "?") + ", " + machine.getOrDefault("jdk", "?"), 20, 26);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("load average at start " + machine.getOrDefault("loadavg_at_start", "?") + "; pinned: "
                + machine.getOrDefault("pinned", "?"), 20, 44);
        for (int i = 0; i < panels.size(); i++) {
            panel(g, 0, 60 + i * ph, w, ph, titles.get(i), units.get(i), cs, panels.get(i));
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    static Series series(String name, List<Results.Row> medians, String transport, String mode, String server,
                         String payload, List<Integer> cs, boolean p99) {
        double[] v = new double[cs.size()];
        for (int i = 0; i < cs.size(); i++) {
            Results.Row r = Results.find(medians, transport, mode, server, payload, cs.get(i));
            v[i] = r == null ? Double.NaN : p99 ? r.p99() : r.throughput();
        }
        return new Series(name, v);
    }

    private static void panel(Graphics2D g, int x0, int y0, int w, int h, String title, String unit,
                              List<Integer> cs, List<Series> series) {
        int left = x0 + 90;
        int right = x0 + w - 200;
        int top = y0 + 30;
        int bottom = y0 + h - 40;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, left, y0 + 18);
        double max = 0;
        for (Series s : series) {
            for (double v : s.values) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        if (max == 0) {
            g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
            g.drawString("no data", left + 20, top + 40);
            return;
        }
        double step = niceStep(max / 5);
        double top5 = Math.ceil(max / step) * step;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double t = 0; t <= top5 + step / 2; t += step) {
            int y = bottom - (int) ((bottom - top) * t / top5);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(Locale.ROOT, "%,.0f", t);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        g.drawString(unit, x0 + 10, top - 6);
        int groups = cs.size();
        double gw = (right - left) / (double) groups;
        double bw = gw * 0.8 / series.size();
        for (int i = 0; i < groups; i++) {
            int gx = (int) (left + i * gw + gw * 0.1);
            g.setColor(Color.BLACK);
            String label = "c=" + cs.get(i);
            g.drawString(label, (int) (left + i * gw + gw / 2 - g.getFontMetrics().stringWidth(label) / 2.0), bottom + 16);
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values[i];
                if (Double.isNaN(v)) {
                    continue;
                }
                int bh = (int) ((bottom - top) * v / top5);
                int bx = (int) (gx + s * bw);
                g.setColor(COLORS[s % COLORS.length]);
                g.fillRect(bx, bottom - bh, Math.max(1, (int) bw - 2), bh);
                if (bw > 28) {
                    g.setColor(Color.DARK_GRAY);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
                    String vl = v >= 10000 ? String.format(Locale.ROOT, "%.0fk", v / 1000) : String.format(Locale.ROOT, "%.0f", v);
                    g.drawString(vl, bx + 1, bottom - bh - 2);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                }
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        for (int s = 0; s < series.size(); s++) {
            int ly = top + 10 + s * 18;
            g.setColor(COLORS[s % COLORS.length]);
            g.fillRect(right + 20, ly - 10, 12, 12);
            g.setColor(Color.BLACK);
            boolean empty = true;
            for (double v : series.get(s).values) {
                empty &= Double.isNaN(v);
            }
            g.drawString(series.get(s).name + (empty ? " (n/a)" : ""), right + 38, ly);
        }
    }

    private static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double n = raw / mag;
        return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
    }
}
