package io.mcpserver.bench.loadgen;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * NDJSON load for TCP and stdio. Pipelined: one connection, a writer that keeps {@code c} requests in flight
 * (flushing only when the window is full, so requests batch into few writes) and a reader that matches
 * replies by id. Connections: {@code c} connections, each a closed loop on its own virtual thread.
 */
final class LineLoad {

    private LineLoad() {
    }

    /** A connection: reader and buffered writer; initialized as an MCP session. */
    static final class Conn implements AutoCloseable {
        final LineIn in;
        final OutputStream out;
        final AutoCloseable closer;
        long nextId = 1;

        Conn(LineIn in, OutputStream out, AutoCloseable closer) {
            this.in = in;
            this.out = new BufferedOutputStream(out, 1 << 16);
            this.closer = closer;
        }

        static Conn tcp(String host, int port) throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(10_000); // a reply missing for 10 s fails the cell instead of hanging the run
            return new Conn(new LineIn(s.getInputStream()), s.getOutputStream(), s);
        }

        void initialize() throws IOException {
            initialize(null);
        }

        /** {@code authorization}: {@code "ApiKey <key>"} in the first message (security on), or null. */
        void initialize(String authorization) throws IOException {
            try {
                initialize0(authorization);
            } catch (IOException e) {
                throw new IOException("initialize: " + e.getMessage(), e);
            }
        }

        private void initialize0(String authorization) throws IOException {
            out.write(((authorization == null ? Workload.initialize(0) : Workload.initialize(0, authorization)) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                in.next();
                if (Workload.id(in.buf, in.start, in.end) == 0) {
                    if (!Workload.isResult(in.buf, in.start, in.end)) {
                        throw new IOException("initialize failed: " + in.text());
                    }
                    break;
                }
            }
            out.write((Workload.INITIALIZED + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** One call, checked completely. */
        void verify(String text) throws IOException {
            long id = nextId++;
            out.write(new Workload.CallTemplate(text).build(id, true));
            out.flush();
            while (true) {
                in.next();
                if (Workload.id(in.buf, in.start, in.end) == id) {
                    String reply = in.text();
                    if (!Workload.echoes(reply, text)) {
                        throw new IOException("tools/call echo: " + reply.substring(0, Math.min(300, reply.length())));
                    }
                    return;
                }
            }
        }

        @Override
        public void close() {
            try {
                closer.close();
            } catch (Exception ignored) {
                // closing
            }
        }
    }

    private static final byte[] END = "{\"jsonrpc\":\"2.0\",\"id\":\"bench-end\",\"method\":\"ping\"}\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_ID = "\"bench-end\"".getBytes(StandardCharsets.US_ASCII);

    /** {@code c} requests in flight on one connection. The connection stays usable afterwards (stdio). */
    static Recorder.Summary pipelined(Conn conn, String text, int c, double rampSeconds, double measureSeconds)
            throws Exception {
        Workload.CallTemplate call = new Workload.CallTemplate(text);
        int mask = (1 << 16) - 1;
        AtomicLongArray sentAt = new AtomicLongArray(mask + 1);
        Semaphore window = new Semaphore(c);
        Recorder rec = new Recorder();
        long firstId = conn.nextId;
        AtomicLong sent = new AtomicLong(); // requests written
        AtomicBoolean writerFailed = new AtomicBoolean();
        Cell cell = Cell.startingNow(rampSeconds, measureSeconds);
        Exception[] failure = new Exception[1];
        Thread writer = Thread.ofVirtual().name("pipeline-writer").start(() -> {
            long id = firstId;
            try {
                while (cell.running()) {
                    if (!window.tryAcquire()) {
                        conn.out.flush();
                        window.acquire();
                    }
                    sentAt.setRelease((int) (id & mask), System.nanoTime());
                    conn.out.write(call.build(id, true));
                    sent.lazySet(id - firstId + 1);
                    id++;
                }
                sent.set(id - firstId);
                // a last ping, with an id of its own: its reply tells the reader that nothing else was sent, and
                // wakes it if it is waiting (the reader can't tell from counts alone without racing this thread)
                conn.out.write(END);
                conn.out.flush();
            } catch (Exception e) {
                failure[0] = e;
                writerFailed.set(true);
            }
        });
        long received = 0;
        long maxSeen = firstId - 1;
        try {
            boolean endSeen = false;
            while (!(endSeen && received >= sent.get()) && !writerFailed.get()) {
                try {
                    conn.in.next();
                } catch (IOException e) {
                    throw new IOException(e.getMessage() + " (pipelined: " + sent.get() + " sent, " + received
                            + " answered, end " + (endSeen ? "seen" : "not seen")
                            + (failure[0] == null ? "" : ", writer failed: " + failure[0]) + ")", e);
                }
                long id = Workload.id(conn.in.buf, conn.in.start, conn.in.end);
                if (id < firstId) {
                    endSeen |= Workload.indexOf(conn.in.buf, conn.in.start, Math.min(conn.in.end, conn.in.start + 64),
                            END_ID) >= 0;
                    continue; // the end marker, a notification, or a stray reply
                }
                long t = System.nanoTime();
                received++;
                maxSeen = Math.max(maxSeen, id);
                if (cell.counts(t)) {
                    if (Workload.isResult(conn.in.buf, conn.in.start, conn.in.end)) {
                        rec.record(t - sentAt.getAcquire((int) (id & mask)));
                    } else {
                        rec.errors++;
                    }
                }
                window.release();
            }
        } finally {
            writer.join();
        }
        conn.nextId = Math.max(maxSeen, firstId + sent.get() - 1) + 1;
        if (failure[0] != null) {
            throw failure[0];
        }
        return Recorder.merge(List.of(rec));
    }

    /** {@code c} TCP connections, each its own session and a closed loop. */
    static Recorder.Summary connections(String host, int port, String text, int c, double rampSeconds,
                                        double measureSeconds) throws Exception {
        return connections(host, port, text, c, rampSeconds, measureSeconds, null);
    }

    /** {@code authorization}: {@code "ApiKey <key>"} in each connection's first message (security on), or null. */
    static Recorder.Summary connections(String host, int port, String text, int c, double rampSeconds,
                                        double measureSeconds, String authorization) throws Exception {
        Workload.CallTemplate call = new Workload.CallTemplate(text);
        List<Conn> conns = new ArrayList<>();
        try {
            for (int i = 0; i < c; i++) {
                Conn conn = Conn.tcp(host, port);
                conns.add(conn);
                conn.initialize(authorization);
            }
            List<Recorder> recorders = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(c);
            Cell cell = Cell.startingNow(rampSeconds, measureSeconds);
            for (Conn conn : conns) {
                Recorder rec = new Recorder();
                recorders.add(rec);
                Thread.ofVirtual().start(() -> {
                    try {
                        while (cell.running()) {
                            long id = conn.nextId++;
                            long t0 = System.nanoTime();
                            conn.out.write(call.build(id, true));
                            conn.out.flush();
                            long got;
                            do {
                                conn.in.next();
                                got = Workload.id(conn.in.buf, conn.in.start, conn.in.end);
                            } while (got != id);
                            long t1 = System.nanoTime();
                            if (cell.counts(t1)) {
                                if (Workload.isResult(conn.in.buf, conn.in.start, conn.in.end)) {
                                    rec.record(t1 - t0);
                                } else {
                                    rec.errors++;
                                }
                            }
                        }
                    } catch (IOException e) {
                        rec.errors++;
                        System.err.println("bench: tcp worker: " + e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            return Recorder.merge(recorders);
        } finally {
            conns.forEach(Conn::close);
        }
    }
}
