package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Streamable HTTP load: {@code c} keep-alive connections, each its own initialized MCP session reused for
 * every call, each a closed loop (send, wait for the reply, send again) on a virtual thread. JSON or SSE
 * replies are both accepted (the official SDK answers a POST with an event stream).
 * The flavor says what the client accepts (see {@link HttpConn.Flavor}); the limit gets no MCP headers but
 * the same initialize round trip.
 */
final class HttpLoad {

    private HttpLoad() {
    }

    /** Opens a connection and an MCP session on it; returns the session id (null when the server has none). */
    static String openSession(HttpConn conn, String path, HttpConn.Flavor flavor) throws IOException {
        HttpConn.Response r = conn.post(path, Workload.initialize(0).getBytes(StandardCharsets.UTF_8), null, flavor, null);
        if (r.status != 200) {
            throw new IOException("initialize: HTTP " + r.status + " " + r.bodyText());
        }
        String json = r.json();
        if (json == null || !json.contains("\"result\"")) {
            throw new IOException("initialize: no result in " + r.bodyText());
        }
        String session = r.sessionId;
        HttpConn.Response n = conn.post(path, Workload.INITIALIZED.getBytes(StandardCharsets.UTF_8), session, flavor, null);
        if (n.status / 100 != 2) {
            throw new IOException("notifications/initialized: HTTP " + n.status + " " + n.bodyText());
        }
        return session;
    }

    /** One call, checked completely: the harness refuses to measure a server that doesn't echo. */
    static void verify(String host, int port, String path, HttpConn.Flavor flavor, String text) throws IOException {
        verify(host, port, path, flavor, text, "");
    }

    /** {@code headers}: header lines (each ending in CRLF) sent with every request, e.g. a credential; "" for none. */
    static void verify(String host, int port, String path, HttpConn.Flavor flavor, String text, String headers)
            throws IOException {
        try (HttpConn conn = new HttpConn(host, port, null)) {
            conn.auth(headers);
            String session = openSession(conn, path, flavor);
            HttpConn.Response r = conn.post(path, new Workload.CallTemplate(text).build(1, false), session, flavor, null);
            String json = r.json();
            if (r.status != 200 || json == null || !Workload.echoes(json, text)) {
                throw new IOException("tools/call echo: HTTP " + r.status + " "
                        + (json == null ? r.bodyText() : json.substring(0, Math.min(300, json.length()))));
            }
        }
    }

    static Recorder.Summary run(String host, int port, String path, HttpConn.Flavor flavor, String text, int c,
                                double rampSeconds, double measureSeconds) throws Exception {
        return run(host, port, path, flavor, text, c, rampSeconds, measureSeconds, "");
    }

    /** {@code headers}: header lines (each ending in CRLF) sent with every request; "" for none. */
    static Recorder.Summary run(String host, int port, String path, HttpConn.Flavor flavor, String text, int c,
                                double rampSeconds, double measureSeconds, String headers) throws Exception {
        Workload.CallTemplate call = new Workload.CallTemplate(text);
        List<HttpConn> conns = new ArrayList<>();
        List<String> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < c; i++) {
                HttpConn conn = new HttpConn(host, port, null);
                conn.auth(headers);
                conns.add(conn);
                sessions.add(openSession(conn, path, flavor));
            }
            List<Recorder> recorders = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(c);
            Cell cell = Cell.startingNow(rampSeconds, measureSeconds);
            for (int i = 0; i < c; i++) {
                Recorder rec = new Recorder();
                recorders.add(rec);
                HttpConn conn = conns.get(i);
                String session = sessions.get(i);
                Thread.ofVirtual().name("http-" + i).start(() -> {
                    HttpConn.Response r = new HttpConn.Response();
                    long id = 1;
                    try {
                        while (cell.running()) {
                            byte[] body = call.build(id++, false);
                            long t0 = System.nanoTime();
                            conn.post(path, body, session, flavor, r);
                            long t1 = System.nanoTime();
                            if (cell.counts(t1)) {
                                if (r.status == 200 && Workload.isResult(r.body, 0, r.length)) {
                                    rec.record(t1 - t0);
                                } else {
                                    rec.errors++;
                                }
                            }
                        }
                    } catch (IOException e) {
                        rec.errors++;
                        System.err.println("bench: http worker: " + e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            return Recorder.merge(recorders);
        } finally {
            for (int i = 0; i < conns.size(); i++) {
                if (flavor.mcp && i < sessions.size() && sessions.get(i) != null) {
                    conns.get(i).delete(path, sessions.get(i)); // sessions would pile up in the server otherwise
                }
                conns.get(i).close();
            }
        }
    }
}
