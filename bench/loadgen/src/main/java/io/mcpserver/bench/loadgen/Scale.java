package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle connections against a fresh server: N WebSocket connections (each an initialized MCP session), then
 * N Streamable HTTP sessions each holding its GET event stream open; heap after a full GC (jcmd) and RSS
 * before and after each step, per connection. Source addresses rotate over 127.0.0.2–127.0.0.x so that no
 * (source, destination) pair runs short of ephemeral ports.
 */
final class Scale {

    private static final int PER_SOURCE = 5000;
    private final Bench b;

    Scale(Bench b) {
        this.b = b;
    }

    Map<String, Object> run(int wanted) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        // Both kinds are held at once: 2n descriptors in the server (and in this client) plus their own files. Where
        // the open-files limit (raised to the hard limit by run.sh) is too low for that, as many of each as it allows.
        long maxFd = maxFileDescriptors();
        int n = (int) Math.min(wanted, (maxFd - 1000) / 2);
        r.put("connections_each", n);
        r.put("max_open_files", maxFd);
        r.put("held_at_once", n >= wanted ? "yes"
                : "yes, " + n + " of each: ulimit -n " + maxFd + " (the hard limit) allows no more; " + wanted
                        + " of each needs " + (2L * wanted + 1000));
        if (n < wanted) {
            Bench.log("scale: the open-files limit is " + maxFd + ": holding " + n + " WebSockets and " + n
                    + " SSE streams at once instead of " + wanted + " of each");
        }
        List<String> jvm = List.of(b.java, "-Xmx4g");
        ServerProc p = ServerProc.start("ours-scale", b.oursCommand(b.oursHome(), false, true, false, jvm),
                b.work.resolve("logs/scale-ours.log"), false, b.cpusServer());
        List<WebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
        List<HttpConn> streams = Collections.synchronizedList(new ArrayList<>());
        try {
            try {
                p.awaitReady(60_000);
            } catch (IOException e) {
                r.put("status", "unavailable: our server does not start with the HTTP transport yet");
                Bench.log("scale: " + r);
                return r;
            }
            String host = p.host("http");
            int port = p.port("http");
            Thread.sleep(1000);
            long heap0 = p.heapUsedAfterGcKb(b.jcmd);
            long rss0 = p.rssKb();
            r.put("baseline_heap_mb", mb(heap0));
            r.put("baseline_rss_mb", mb(rss0));

            // ---- WebSocket ----
            long t0 = System.nanoTime();
            int ws;
            if (!b.profile) {
                ws = openWebSockets(host, port, n, sockets, true);
            } else { // old-object samples: where the memory that stays with a connection was allocated
                int[] opened = new int[1];
                r.put("ws_profile", Profile.record(b, p, "profile-scale-ws", List.of("memory-leaks-by-site",
                        "allocation-by-site"), () -> opened[0] = openWebSockets(host, port, n, sockets, true)));
                ws = opened[0];
            }
            r.put("ws_open", ws);
            r.put("ws_open_seconds", round((System.nanoTime() - t0) / 1e9));
            Thread.sleep(2000);
            long heap1 = p.heapUsedAfterGcKb(b.jcmd);
            long rss1 = p.rssKb();
            histogram(p, "scale-histogram-ws.txt");
            int wsAlive = (int) sockets.stream().filter(s -> !s.isInputClosed()).count();
            r.put("ws_still_open_after_gc", wsAlive);
            r.put("ws_heap_kb_per_conn", ws == 0 ? null : round((heap1 - heap0) / (double) ws));
            r.put("ws_rss_kb_per_conn", ws == 0 ? null : round((rss1 - rss0) / (double) ws));

            // ---- SSE ----
            t0 = System.nanoTime();
            String[] how = new String[1];
            int sse;
            if (!b.profile) {
                sse = openStreams(host, port, n, streams, how, null);
            } else {
                int[] opened = new int[1];
                r.put("sse_profile", Profile.record(b, p, "profile-scale-sse", List.of("memory-leaks-by-site",
                        "allocation-by-site"), () -> opened[0] = openStreams(host, port, n, streams, how, null)));
                sse = opened[0];
            }
            r.put("sse_open", sse);
            r.put("sse_kind", how[0]);
            r.put("sse_open_seconds", round((System.nanoTime() - t0) / 1e9));
            Thread.sleep(2000);
            long heap2 = p.heapUsedAfterGcKb(b.jcmd);
            long rss2 = p.rssKb();
            histogram(p, "scale-histogram-ws+sse.txt");
            r.put("sse_heap_kb_per_conn", sse == 0 ? null : round((heap2 - heap1) / (double) sse));
            r.put("sse_rss_kb_per_conn", sse == 0 ? null : round((rss2 - rss1) / (double) sse));
            r.put("total_heap_mb", mb(heap2));
            r.put("total_rss_mb", mb(rss2));
            r.put("status", ws == n && sse == n ? "ok" : "partial: " + ws + " WebSocket and " + sse + " SSE of " + n + " each");
        } finally {
            for (WebSocket s : sockets) {
                s.abort();
            }
            for (HttpConn c : streams) {
                c.close();
            }
            p.close();
        }
        r.put("sse_gzip", compressed(n));
        if (!"no".equals(b.opts.get("scale-floor"))) {
            r.put("limit_ws", floor(n));
        }
        Bench.log("scale: " + r);
        return r;
    }

    /**
     * Compressed event streams: n GET /mcp streams whose client sends {@code Accept-Encoding: gzip} (as Node's
     * fetch, hence the TypeScript SDK, always does), against a fresh server of ours. A compressing stream holds a
     * {@code java.util.zip.Deflater}, whose memory is native (outside the heap): RSS is the figure to read.
     */
    private Map<String, Object> compressed(int n) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        ServerProc p = ServerProc.start("ours-scale-gzip", b.oursCommand(b.oursHome(), false, true, false,
                List.of(b.java, "-Xmx4g")), b.work.resolve("logs/scale-ours-gzip.log"), false, b.cpusServer());
        List<HttpConn> streams = Collections.synchronizedList(new ArrayList<>());
        try {
            p.awaitReady(60_000);
            Thread.sleep(1000);
            long heap0 = p.heapUsedAfterGcKb(b.jcmd);
            long rss0 = p.rssKb();
            String[] how = new String[1];
            int sse = openStreams(p.host("http"), p.port("http"), n, streams, how, "gzip");
            Thread.sleep(2000);
            long heap1 = p.heapUsedAfterGcKb(b.jcmd);
            long rss1 = p.rssKb();
            long compressed = streams.stream().filter(c -> "gzip".equals(c.contentEncoding)).count();
            r.put("sse_open", sse);
            r.put("compressed", compressed);
            r.put("heap_kb_per_conn", sse == 0 ? null : round((heap1 - heap0) / (double) sse));
            r.put("rss_kb_per_conn", sse == 0 ? null : round((rss1 - rss0) / (double) sse));
            r.put("total_rss_mb", mb(rss1));
        } finally {
            for (HttpConn c : streams) {
                c.close();
            }
            p.close();
        }
        return r;
    }

    /**
     * The floor: the same n idle WebSockets against plain Helidon (the limit server's echo endpoint, same JVM
     * options): what Helidon itself keeps per connection, before any MCP state.
     */
    private Map<String, Object> floor(int n) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        ServerProc p = ServerProc.start("limit-scale", b.limitCommand(List.of(b.java, "-Xmx4g")),
                b.work.resolve("logs/scale-limit.log"), false, b.cpusServer());
        List<WebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
        try {
            p.awaitReady(60_000);
            Thread.sleep(1000);
            long heap0 = p.heapUsedAfterGcKb(b.jcmd);
            long rss0 = p.rssKb();
            int ws = openWebSockets(p.host("http"), p.port("http"), n, sockets, false); // no message: no JSON at all
            Thread.sleep(2000);
            long heap1 = p.heapUsedAfterGcKb(b.jcmd);
            long rss1 = p.rssKb();
            r.put("ws_open", ws);
            r.put("ws_heap_kb_per_conn", ws == 0 ? null : round((heap1 - heap0) / (double) ws));
            r.put("ws_rss_kb_per_conn", ws == 0 ? null : round((rss1 - rss0) / (double) ws));
        } finally {
            for (WebSocket s : sockets) {
                s.abort();
            }
            p.close();
        }
        return r;
    }

    /** Opens n WebSockets (at most 64 handshakes at once), each initialized as an MCP session if asked. */
    private int openWebSockets(String host, int port, int n, List<WebSocket> sockets, boolean initialize)
            throws Exception {
        URI uri = URI.create("ws://" + host + ":" + port + "/ws");
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < (n + PER_SOURCE - 1) / PER_SOURCE; i++) {
            clients.add(HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0." + (2 + i))).build());
        }
        Semaphore gate = new Semaphore(64);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            gate.acquire();
            HttpClient client = clients.get(i / PER_SOURCE);
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    WsLoad.Conn c = WsLoad.Conn.open(client, uri);
                    if (initialize) {
                        c.initialize();
                    }
                    c.onMessage = m -> { };
                    sockets.add(c.ws);
                    ok.incrementAndGet();
                } catch (Exception e) {
                    if (failed.getAndIncrement() < 3) {
                        Bench.log("scale: WebSocket failed: " + e);
                    }
                } finally {
                    gate.release();
                }
            }));
            if (failed.get() > n / 10 + 10) {
                break;
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        return ok.get();
    }

    /**
     * Opens n event streams: initialize + notifications/initialized + GET /mcp held open (Streamable HTTP);
     * if the server refuses the GET stream, the legacy GET /sse instead. {@code acceptEncoding}: sent on the GET.
     */
    private int openStreams(String host, int port, int n, List<HttpConn> streams, String[] how, String acceptEncoding)
            throws Exception {
        how[0] = "streamable GET /mcp";
        Semaphore gate = new Semaphore(64);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        boolean[] legacy = {false};
        for (int i = 0; i < n; i++) {
            gate.acquire();
            InetAddress source = InetAddress.getByName("127.0.0." + (2 + (n + i) / PER_SOURCE));
            threads.add(Thread.ofVirtual().start(() -> {
                HttpConn conn = null;
                try {
                    conn = new HttpConn(host, port, source, 2048);
                    HttpConn.Response res;
                    if (!legacy[0]) {
                        String session = HttpLoad.openSession(conn, "/mcp", HttpConn.Flavor.JSON);
                        res = conn.getStream("/mcp", session, acceptEncoding);
                        if (res.status == 405 || res.status == 404) {
                            legacy[0] = true;
                            how[0] = "legacy GET /sse (GET /mcp answered " + res.status + ")";
                            conn.close();
                            conn = new HttpConn(host, port, source, 2048);
                            res = conn.getStream("/sse", null);
                        }
                    } else {
                        res = conn.getStream("/sse", null);
                    }
                    if (res.status != 200 || res.contentType == null || !res.contentType.startsWith("text/event-stream")) {
                        throw new IOException("stream: HTTP " + res.status + " " + res.contentType);
                    }
                    streams.add(conn);
                    ok.incrementAndGet();
                } catch (Exception e) {
                    if (conn != null) {
                        conn.close();
                    }
                    if (failed.getAndIncrement() < 3) {
                        Bench.log("scale: SSE failed: " + e);
                    }
                } finally {
                    gate.release();
                }
            }));
            if (failed.get() > n / 10 + 10) {
                break;
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        return ok.get();
    }

    /** The server's biggest classes by live bytes (what a connection costs), kept beside the results. */
    private void histogram(ServerProc p, String file) {
        try {
            String h = Machine.run(List.of(b.jcmd, Long.toString(p.pid()), "GC.class_histogram"));
            List<String> lines = h.lines().limit(45).toList();
            java.nio.file.Files.writeString(b.out.resolve(file), String.join("\n", lines) + "\n");
        } catch (IOException | InterruptedException e) {
            Bench.log("scale: no histogram: " + e);
        }
    }

    static long maxFileDescriptors() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

    private static double mb(long kb) {
        return round(kb / 1024.0);
    }

    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.1f", v));
    }


    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
