package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flooding principal of the fairness benchmark ({@link Flood}), in a process of its own so that its threads
 * and garbage don't share a JVM with the well-behaved clients it is measured against (only the machine's cores).
 * One API key, every kind of abuse at once, on one transport, for a fixed time:
 * <ul>
 *   <li><b>rate</b>: connections calling {@code echo} (small) as fast as the server answers, 64 in flight each on
 *       the connection transports, one at a time on each HTTP connection;</li>
 *   <li><b>big</b>: connections calling {@code echo} with a large text (just under the message limit), reading
 *       the replies;</li>
 *   <li><b>slow</b>: connections that send large calls and never read a byte of what comes back;</li>
 *   <li><b>sessions</b>: a new session per connection, so that it also runs into the per-principal session cap.</li>
 * </ul>
 * Prints one line of JSON with what happened to its requests: answered, refused (HTTP 429/503, JSON-RPC -32000),
 * other errors, and connections the server refused or closed.
 */
public final class Flooder {

    final String transport;
    final String host;
    final int port;
    final String key;
    final double seconds;
    final int rateConns;
    final int bigConns;
    final int slowConns;
    final int bigBytes;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong connectionsRefused = new AtomicLong();
    final AtomicLong connectionsClosed = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final ConcurrentLinkedQueue<AutoCloseable> open = new ConcurrentLinkedQueue<>();
    volatile long end;

    Flooder(Map<String, String> o) {
        transport = o.get("transport");
        host = o.getOrDefault("host", "127.0.0.1");
        port = Integer.parseInt(o.get("port"));
        key = o.get("key");
        seconds = Double.parseDouble(o.getOrDefault("seconds", "10"));
        rateConns = Integer.parseInt(o.getOrDefault("rate-conns", "8"));
        bigConns = Integer.parseInt(o.getOrDefault("big-conns", "2"));
        slowConns = Integer.parseInt(o.getOrDefault("slow-conns", "8"));
        bigBytes = Integer.parseInt(o.getOrDefault("big-bytes", "262144"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].substring(2), args[i + 1]);
        }
        Flooder f = new Flooder(o);
        System.out.println(Results.json(f.run()));
        System.out.flush();
        System.exit(0); // writers blocked on sockets the server stopped reading must not keep the process alive
    }

    Map<String, Object> run() throws InterruptedException {
        long cpu0 = Machine.selfCpuTicks();
        long t0 = System.nanoTime();
        String big = bigText(bigBytes);
        end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < rateConns; i++) {
            threads.add(Thread.ofVirtual().name("flood-rate-" + i).start(() -> loop("small", "hello, flood", true)));
        }
        for (int i = 0; i < bigConns; i++) {
            threads.add(Thread.ofVirtual().name("flood-big-" + i).start(() -> loop("big", big, true)));
        }
        for (int i = 0; i < slowConns; i++) {
            threads.add(Thread.ofVirtual().name("flood-slow-" + i).start(() -> loop("slow", big, false)));
        }
        // until the time is up, or until the orchestrator closes this process's stdin (it has measured what it needs)
        CountDownLatch stop = new CountDownLatch(1);
        Thread.ofVirtual().name("flood-stdin").start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent: only the end of the stream counts
                }
            } catch (IOException e) {
                // the same: the orchestrator is gone
            }
            stop.countDown();
        });
        stop.await((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        end = System.nanoTime();
        // the time is up: close everything (writers blocked on a full socket are released by the close)
        AutoCloseable c;
        while ((c = open.poll()) != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing
            }
        }
        for (Thread t : threads) {
            t.join(2000);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("transport", transport);
        r.put("sent", sent.get());
        r.put("ok", ok.get());
        r.put("refused", refused.get());
        r.put("errors", errors.get());
        r.put("connections_refused", connectionsRefused.get());
        r.put("connections_closed_by_server", connectionsClosed.get());
        r.put("mb_sent", bytesSent.get() / 1e6);
        // its own CPU (ticks are 1/100 s: ticks per second = % of one core): on this machine it competes too
        r.put("cpu_pct", (Machine.selfCpuTicks() - cpu0) / ((System.nanoTime() - t0) / 1e9));
        return r;
    }

    boolean running() {
        return System.nanoTime() < end;
    }

    /** One connection after another until the time is up: each opens a session of its own and floods it. */
    void loop(String kind, String text, boolean read) {
        while (running()) {
            try {
                switch (transport) {
                    case "tcp" -> tcp(text, read);
                    case "http" -> http(text, read);
                    case "ws" -> ws(text, read);
                    default -> throw new IllegalArgumentException(transport);
                }
            } catch (Refused e) {
                connectionsRefused.incrementAndGet();
                pause(20);
            } catch (Exception e) {
                if (running()) {
                    connectionsClosed.incrementAndGet();
                    pause(20);
                }
            }
        }
    }

    /** The server refused a new connection or session (cap reached): counted, and tried again shortly. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void count(byte[] b, int from, int to) {
        if (Workload.isResult(b, from, to)) {
            ok.incrementAndGet();
        } else if (Workload.indexOf(b, from, Math.min(to, from + 512), LIMIT) >= 0) {
            refused.incrementAndGet();
        } else {
            errors.incrementAndGet();
        }
    }

    static final byte[] LIMIT = "-32000".getBytes(StandardCharsets.US_ASCII);

    // ---- TCP: NDJSON, pipelined --------------------------------------------------------------------------------

    void tcp(String text, boolean read) throws IOException, InterruptedException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 10_000);
        open.add(s);
        try (s) {
            LineIn in = new LineIn(s.getInputStream());
            OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
            out.write((Workload.initialize(0, "ApiKey " + key) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            in.next();
            if (!Workload.isResult(in.buf, in.start, in.end)) {
                throw new Refused("initialize: " + in.text());
            }
            out.write((Workload.INITIALIZED + "\n").getBytes(StandardCharsets.UTF_8));
            pipeline(text, true, read, () -> {
                in.next();
                count(in.buf, in.start, in.end);
                return true;
            }, new Outlet() {
                @Override
                public void send(byte[] message) throws IOException {
                    out.write(message);
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }
            });
        }
    }

    /** Reads one reply and counts it; true when it answered a call (a notification is not). */
    interface Replies {
        boolean next() throws IOException;
    }

    /** Where a pipelining connection's messages go: {@code send} may buffer until {@code flush}. */
    interface Outlet {
        void send(byte[] message) throws IOException;

        void flush() throws IOException;
    }

    /**
     * Calls {@code echo} on one connection until the time is up. A reading connection keeps 64 calls unanswered, its
     * replies read on a thread of their own; a slow one flushes each call and never reads, so that it blocks once the
     * server stops reading it, as a real one would. When the connection ends the writer's next write fails.
     */
    void pipeline(String text, boolean newline, boolean read, Replies replies, Outlet out)
            throws IOException, InterruptedException {
        Semaphore window = new Semaphore(64);
        Thread reader = !read ? null : Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    if (replies.next()) {
                        window.release();
                    }
                }
            } catch (IOException e) {
                window.release(1000); // the connection ended: let the writer notice
            }
        });
        Workload.CallTemplate call = new Workload.CallTemplate(text);
        long id = 1;
        try {
            while (running()) {
                if (read && !window.tryAcquire()) {
                    out.flush();
                    window.acquire();
                }
                byte[] m = call.build(id++, newline);
                out.send(m);
                if (!read) {
                    out.flush();
                }
                sent.incrementAndGet();
                bytesSent.addAndGet(m.length);
            }
        } finally {
            if (reader != null) {
                reader.interrupt();
            }
        }
    }

    // ---- Streamable HTTP: one call at a time per keep-alive connection -------------------------------------------

    void http(String text, boolean read) throws IOException {
        HttpConn conn = new HttpConn(host, port, null);
        open.add(conn);
        try (conn) {
            conn.auth("X-API-Key: " + key + "\r\n");
            String session;
            try {
                session = HttpLoad.openSession(conn, "/mcp", HttpConn.Flavor.SSE);
            } catch (IOException e) {
                throw new Refused(e.getMessage());
            }
            Workload.CallTemplate call = new Workload.CallTemplate(text);
            HttpConn.Response r = new HttpConn.Response();
            long id = 1;
            while (running()) {
                byte[] m = call.build(id++, false);
                if (read) {
                    conn.post("/mcp", m, session, HttpConn.Flavor.SSE, r);
                    sent.incrementAndGet();
                    bytesSent.addAndGet(m.length);
                    if (r.status == 429 || r.status == 503) {
                        refused.incrementAndGet();
                    } else if (r.status != 200) {
                        errors.incrementAndGet();
                    } else {
                        count(r.body, 0, r.length);
                    }
                } else {
                    conn.send("/mcp", m, session, HttpConn.Flavor.SSE); // pipelined, never read
                    sent.incrementAndGet();
                    bytesSent.addAndGet(m.length);
                }
            }
        }
    }

    // ---- WebSocket: pipelined; a slow reader never reads ----------------------------------------------------------

    void ws(String text, boolean read) throws Exception {
        RawWebSocket ws = RawWebSocket.open(host, port, "/ws", "X-API-Key: " + key + "\r\n");
        open.add(ws);
        try (ws) {
            ws.send(Workload.initialize(0).getBytes(StandardCharsets.UTF_8));
            ws.flush();
            int n = ws.next();
            if (n < 0 || !Workload.isResult(ws.head(), 0, n)) {
                throw new Refused("initialize: " + (n < 0 ? "closed" : new String(ws.head(), 0, n, StandardCharsets.UTF_8)));
            }
            ws.send(Workload.INITIALIZED.getBytes(StandardCharsets.UTF_8));
            pipeline(text, false, read, () -> {
                int m = ws.next();
                if (m < 0) {
                    throw new java.io.EOFException("closed by the server");
                }
                boolean reply = Workload.id(ws.head(), 0, m) > 0;
                if (reply) {
                    count(ws.head(), 0, m);
                }
                return reply;
            }, ws);
        }
    }

    /** Printable ASCII of {@code bytes} characters (no JSON escaping needed). */
    static String bigText(int bytes) {
        StringBuilder sb = new StringBuilder(bytes);
        for (int i = 0; i < bytes; i++) {
            sb.append((char) ('a' + i % 26));
        }
        return sb.toString();
    }
}
