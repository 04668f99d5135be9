package io.mcpserver.bench.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * WebSocket load with the JDK's client ({@link java.net.http.WebSocket}), one JSON-RPC message per text frame.
 * Pipelined: one connection with {@code c} requests in flight. Connections: {@code c} connections, each its
 * own session and a closed loop.
 */
final class WsLoad {

    private WsLoad() {
    }

    /** A connection whose listener hands each whole text message to {@link #onMessage}. */
    static final class Conn implements WebSocket.Listener {
        WebSocket ws;
        volatile Consumer<String> onMessage = m -> { };
        private final StringBuilder parts = new StringBuilder();

        static Conn open(HttpClient client, URI uri) {
            return open(client, uri, null);
        }

        /** With {@code apiKey}, the upgrade carries it ({@code X-API-Key}) and the connection is that principal's. */
        static Conn open(HttpClient client, URI uri, String apiKey) {
            Conn c = new Conn();
            WebSocket.Builder b = client.newWebSocketBuilder().subprotocols("mcp").connectTimeout(java.time.Duration.ofSeconds(10));
            if (apiKey != null) {
                b.header("X-API-Key", apiKey);
            }
            c.ws = b.buildAsync(uri, c).join();
            return c;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (last && parts.isEmpty()) {
                onMessage.accept(data.toString());
            } else {
                parts.append(data);
                if (last) {
                    String m = parts.toString();
                    parts.setLength(0);
                    onMessage.accept(m);
                }
            }
            webSocket.request(1);
            return null;
        }

        /** Sends one message and waits for the reply with that id (setup and checks only). */
        String call(String message, long id) throws Exception {
            CompletableFuture<String> reply = new CompletableFuture<>();
            onMessage = m -> {
                if (id(m) == id) {
                    reply.complete(m);
                }
            };
            ws.sendText(message, true).join();
            return reply.get(10, TimeUnit.SECONDS);
        }

        void initialize() throws Exception {
            String r = call(Workload.initialize(0), 0);
            if (!r.contains("\"result\"")) {
                throw new IOException("initialize failed: " + r);
            }
            ws.sendText(Workload.INITIALIZED, true).join();
        }

        void close() {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                ws.abort();
            }
        }
    }

    static long id(String m) {
        int at = m.indexOf("\"id\":");
        if (at < 0 || at > 256) {
            return -1;
        }
        int i = at + 5;
        while (i < m.length() && m.charAt(i) == ' ') {
            i++;
        }
        long v = 0;
        int start = i;
        while (i < m.length() && Character.isDigit(m.charAt(i))) {
            v = v * 10 + (m.charAt(i) - '0');
            i++;
        }
        return i == start ? -1 : v;
    }

    static boolean isResult(String m) {
        int at = m.indexOf("\"result\"");
        return at >= 0 && at < 512;
    }

    static HttpClient client() {
        return HttpClient.newBuilder().build();
    }

    static void verify(HttpClient client, URI uri, String text) throws Exception {
        verify(client, uri, text, null);
    }

    /** {@code apiKey}: sent on the upgrade ({@code X-API-Key}) when the server has security on; null: none. */
    static void verify(HttpClient client, URI uri, String text, String apiKey) throws Exception {
        Conn conn = Conn.open(client, uri, apiKey);
        try {
            conn.initialize();
            String r = conn.call(new Workload.CallTemplate(text).buildString(1), 1);
            if (!Workload.echoes(r, text)) {
                throw new IOException("tools/call echo: " + r.substring(0, Math.min(300, r.length())));
            }
        } finally {
            conn.close();
        }
    }

    static Recorder.Summary pipelined(HttpClient client, URI uri, String text, int c, double rampSeconds,
                                      double measureSeconds) throws Exception {
        return pipelined(client, uri, text, c, rampSeconds, measureSeconds, null);
    }

    static Recorder.Summary pipelined(HttpClient client, URI uri, String text, int c, double rampSeconds,
                                      double measureSeconds, String apiKey) throws Exception {
        Workload.CallTemplate call = new Workload.CallTemplate(text);
        Conn conn = Conn.open(client, uri, apiKey);
        try {
            conn.initialize();
            int mask = (1 << 16) - 1;
            AtomicLongArray sentAt = new AtomicLongArray(mask + 1);
            Semaphore window = new Semaphore(c);
            Recorder rec = new Recorder();
            AtomicLong sent = new AtomicLong();
            AtomicLong received = new AtomicLong();
            CountDownLatch drained = new CountDownLatch(1);
            Cell cell = Cell.startingNow(rampSeconds, measureSeconds);
            conn.onMessage = m -> { // called by one thread at a time
                long id = id(m);
                if (id < 1) {
                    return;
                }
                long t = System.nanoTime();
                if (cell.counts(t)) {
                    if (isResult(m)) {
                        rec.record(t - sentAt.getAcquire((int) (id & mask)));
                    } else {
                        rec.errors++;
                    }
                }
                window.release();
                if (received.incrementAndGet() == -sent.get()) {
                    drained.countDown();
                }
            };
            long id = 1;
            while (cell.running()) {
                window.acquire();
                sentAt.setRelease((int) (id & mask), System.nanoTime());
                sent.incrementAndGet();
                conn.ws.sendText(call.buildString(id), true).join();
                id++;
            }
            // negative: the writer is done; the listener opens the latch when that many replies are in
            long total = sent.get();
            sent.set(-total);
            if (received.get() == total) {
                drained.countDown();
            }
            if (!drained.await(30, TimeUnit.SECONDS)) {
                throw new IOException("pipelined WebSocket: " + (total - received.get()) + " replies missing");
            }
            return Recorder.merge(List.of(rec));
        } finally {
            conn.close();
        }
    }

    static Recorder.Summary connections(HttpClient client, URI uri, String text, int c, double rampSeconds,
                                        double measureSeconds) throws Exception {
        return connections(client, uri, text, c, rampSeconds, measureSeconds, null);
    }

    static Recorder.Summary connections(HttpClient client, URI uri, String text, int c, double rampSeconds,
                                        double measureSeconds, String apiKey) throws Exception {
        Workload.CallTemplate call = new Workload.CallTemplate(text);
        List<Conn> conns = new ArrayList<>();
        try {
            for (int i = 0; i < c; i++) {
                Conn conn = Conn.open(client, uri, apiKey);
                conns.add(conn);
                conn.initialize();
            }
            List<Recorder> recorders = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(c);
            Cell cell = Cell.startingNow(rampSeconds, measureSeconds);
            for (Conn conn : conns) {
                Recorder rec = new Recorder();
                recorders.add(rec);
                Semaphore replied = new Semaphore(0);
                long[] sentAt = new long[1];
                long[] expect = new long[1];
                conn.onMessage = m -> {
                    if (id(m) != expect[0]) {
                        return;
                    }
                    long t = System.nanoTime();
                    if (cell.counts(t)) {
                        if (isResult(m)) {
                            rec.record(t - sentAt[0]);
                        } else {
                            rec.errors++;
                        }
                    }
                    replied.release();
                };
                Thread.ofVirtual().start(() -> {
                    try {
                        long id = 1;
                        while (cell.running()) {
                            expect[0] = id;
                            sentAt[0] = System.nanoTime();
                            conn.ws.sendText(call.buildString(id), true).join();
                            if (!replied.tryAcquire(30, TimeUnit.SECONDS)) {
                                throw new IOException("no reply in 30 s");
                            }
                            id++;
                        }
                    } catch (Exception e) {
                        rec.errors++;
                        System.err.println("bench: ws worker: " + e);
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
