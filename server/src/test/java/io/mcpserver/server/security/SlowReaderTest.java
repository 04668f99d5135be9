package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that sends large calls and never reads a byte of the answers (the fairness benchmark's "slow" flooder,
 * docs/benchmarks.md): the server's writes to it back up. That must cost that client only: another client's calls
 * are answered as quickly as ever.
 */
class SlowReaderTest {

    private static final int CALLS = 64;
    private static final String BIG = "s".repeat(128 * 1024);
    /** Far above an echo's time here, far below the 10 s after which the benchmark's clients gave up. */
    private static final long BOUND_MS = 3_000;

    @TempDir
    Path home;

    @Test
    void aWebSocketClientThatNeverReadsDelaysNoOtherClientsReply() throws Exception {
        try (SecuredServer s = new SecuredServer(home); Socket stalled = new Socket()) {
            OutputStream out = webSocketThatNeverReads(s, stalled, s.token("stalled"));
            Thread writer = sendCalls(out, s.token("stalled"), CALLS, BIG, SlowReaderTest::textFrame);
            Thread.sleep(1_000); // its answers fill the socket buffers; the server's writes to it block

            WsClient calm = WsClient.connectWith(Map.of("Authorization", "Bearer " + s.token("calm")),
                    URI.create("ws://" + s.http.getAuthority() + "/ws"), "mcp");
            try {
                calm.send(SecuredServer.initialize(s.token("calm")));
                calm.next();
                for (int i = 2; i < 12; i++) {
                    long t0 = System.nanoTime();
                    calm.send(SecuredServer.echo(i, "calm " + i));
                    JsonNode reply = calm.responseWithin(i, BOUND_MS);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertNotNull(reply, "call " + i + " of the calm client unanswered after " + ms + " ms");
                    assertEquals("calm " + i, reply.at("/result/content/0/text").asText(), reply.toString());
                }
            } finally {
                calm.close();
                writer.interrupt();
            }
        }
    }

    /**
     * The benchmark's WebSocket flood in small: one principal over its rate with connections that never read and
     * connections that pipeline, beside a calm client (the benchmark saw every calm call stall for 10 s).
     */
    @Test
    void aWebSocketFloodOfOnePrincipalLeavesAnotherServed() throws Exception {
        String limits = """
                limits:
                  max-message-size: 1MiB
                  max-sessions-per-principal: 20
                  rate:
                    per-principal: 100
                    per-principal-burst: 200
                """;
        // the benchmark's operator limit too: a principal with 8 requests running is not read until one ends
        try (SecuredServer s = new SecuredServer(home, limits, "",
                java.util.Map.of("transports.http.websocket.max-in-flight-per-principal", "8"))) {
            java.util.List<Socket> stalled = new java.util.ArrayList<>();
            java.util.List<Thread> writers = new java.util.ArrayList<>();
            String flooder = s.token("flooder");
            String big = "b".repeat(256 * 1024);
            for (int c = 0; c < 4; c++) {
                Socket socket = new Socket();
                stalled.add(socket);
                OutputStream out = webSocketThatNeverReads(s, socket, flooder);
                writers.add(sendCalls(out, flooder, 400, big, SlowReaderTest::textFrame));
            }
            java.util.List<WebSocket> pipes = new java.util.ArrayList<>();
            for (int c = 0; c < 2; c++) {
                java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
                WebSocket pipe = SecuredServer.HTTP.newWebSocketBuilder().subprotocols("mcp")
                        .header("Authorization", "Bearer " + flooder)
                        .buildAsync(URI.create("ws://" + s.http.getAuthority() + "/ws"), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                if (last) {
                                    window.release();
                                }
                                ws.request(1);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
                pipes.add(pipe);
                pipe.sendText(SecuredServer.initialize(flooder), true).join();
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 2; !Thread.currentThread().isInterrupted(); i++) {
                            window.acquire();
                            pipe.sendText(SecuredServer.echo(i, i % 4 == 0 ? big : "small"), true)
                                    .get(30, TimeUnit.SECONDS);
                        }
                    } catch (Exception e) {
                        // stopped
                    }
                }));
            }
            Thread.sleep(1_500);
            WsClient calm = WsClient.connectWith(Map.of("Authorization", "Bearer " + s.token("calm")),
                    URI.create("ws://" + s.http.getAuthority() + "/ws"), "mcp");
            try {
                calm.send(SecuredServer.initialize(s.token("calm")));
                calm.next();
                long worst = 0;
                for (int i = 2; i < 42; i++) {
                    long t0 = System.nanoTime();
                    calm.socket.sendText(SecuredServer.echo(i, "calm " + i), true).get(BOUND_MS, TimeUnit.MILLISECONDS);
                    JsonNode reply = calm.responseWithin(i, BOUND_MS);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    worst = Math.max(worst, ms);
                    if (reply == null) {
                        java.lang.management.ManagementFactory.getPlatformMXBean(
                                com.sun.management.HotSpotDiagnosticMXBean.class).dumpThreads(
                                home.resolve("threads.txt").toString(),
                                com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                        java.nio.file.Files.copy(home.resolve("threads.txt"),
                                Path.of("target/slow-reader-threads.txt"),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    assertNotNull(reply, "call " + i + " of the calm client unanswered after " + ms + " ms");
                    Thread.sleep(50);
                }
                System.out.println("calm worst " + worst + " ms");
            } finally {
                calm.close();
                writers.forEach(Thread::interrupt);
                pipes.forEach(WebSocket::abort);
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    /**
     * A client that stops reading while its answers are due: once a write to it has not completed for
     * {@code write-timeout}, the connection is dropped and its session ended (before, it held its running requests,
     * their answers and its reader for as long as it stayed connected).
     */
    @Test
    void aWebSocketClientThatStopsReadingIsDroppedAfterTheWriteTimeout() throws Exception {
        try (SecuredServer s = new SecuredServer(home, "", "",
                java.util.Map.of("transports.http.websocket.write-timeout", "1s"));
             Socket stalled = new Socket()) {
            OutputStream out = webSocketThatNeverReads(s, stalled, s.token("stalled"));
            var sessions = s.server.core().sessions();
            // the session opens just after the 101 goes out (Helidon's onOpen): wait for it
            long opening = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sessions.countByTransport("websocket") == 0 && System.nanoTime() < opening) {
                Thread.sleep(10);
            }
            assertEquals(1, sessions.countByTransport("websocket"));
            long started = System.nanoTime();
            Thread writer = sendCalls(out, s.token("stalled"), CALLS, BIG, SlowReaderTest::textFrame);
            try {
                long deadline = started + TimeUnit.SECONDS.toNanos(20);
                while (sessions.countByTransport("websocket") > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                long ms = (System.nanoTime() - started) / 1_000_000;
                assertEquals(0, sessions.countByTransport("websocket"), "the client that never reads still connected after "
                        + ms + " ms");
            } finally {
                writer.interrupt();
            }
        }
    }

    /**
     * The same on TCP ({@code transports.tcp.write-timeout}): a client that stops reading while its answers are due is
     * dropped once a write to it has been blocked that long, and its session ends with it; a calm client beside it is
     * served throughout. Before, nothing ended it: its blocked writer held the answers for as long as it stayed.
     */
    /**
     * A plugin that reports progress from a platform thread of its own: that thread does the blocked write. The write
     * timeout interrupted the writing thread, which closes the socket only under a virtual thread; a platform thread
     * kept the interrupt, and the plugin's next wait on it failed. Its write must fail, its thread stay uninterrupted.
     */
    @Test
    void aPluginsOwnThreadWritingToAStalledWebSocketIsNotInterruptedByTheWriteTimeout() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        try (SecuredServer s = new SecuredServer(home, "", "",
                java.util.Map.of("transports.http.websocket.write-timeout", "1s"));
             Socket stalled = new Socket()) {
            s.server.core().features().register(new io.mcpserver.server.registry.Contributions(
                    new io.mcpserver.server.registry.Owner("reporter", SlowReaderTest.class.getClassLoader()),
                    java.util.List.of(io.mcpserver.spi.tools.Tool.of(
                            io.mcpserver.spi.tools.ToolDescriptor.builder("report").build(), (args, ctx) -> {
                                Thread own = Thread.ofPlatform().name("plugin-reporter").start(() -> {
                                    for (int i = 1; i <= 200; i++) {
                                        ctx.progress(i, 200.0, BIG);
                                    }
                                    interrupted.set(Thread.currentThread().isInterrupted());
                                    reported.countDown();
                                });
                                own.join();
                                return io.mcpserver.spi.tools.ToolResult.text("reported");
                            })),
                    java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.List.of()));
            OutputStream out = webSocketThatNeverReads(s, stalled, s.token("stalled"));
            out.write(textFrame(SecuredServer.initialize(s.token("stalled"))));
            out.write(textFrame(SecuredServer.request(2, "tools/call",
                    "{\"name\":\"report\",\"_meta\":{\"progressToken\":\"p\"}}")));
            out.flush();
            assertTrue(reported.await(30, TimeUnit.SECONDS), "the plugin's thread never got through its 200 reports");
            assertTrue(!interrupted.get(), "the plugin's own thread was left interrupted by the write timeout");
        }
    }

    @Test
    void aTcpClientThatStopsReadingIsDroppedAfterTheWriteTimeout() throws Exception {
        try (SecuredServer s = new SecuredServer(home, "", "", java.util.Map.of("transports.tcp.write-timeout", "1s"));
             Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", s.tcpPort), 10_000);
            OutputStream out = stalled.getOutputStream();
            var sessions = s.server.core().sessions();
            long started = System.nanoTime();
            Thread writer = sendCalls(out, s.token("stalled"), CALLS, BIG, SlowReaderTest::line);
            try (LineClient calm = s.tcpAs("calm")) {
                long deadline = started + TimeUnit.SECONDS.toNanos(20);
                // the calm client's own session counts too: wait until only it is left
                while (sessions.countByTransport("tcp") > 1 && System.nanoTime() < deadline) {
                    JsonNode reply = calm.request(SecuredServer.echo(2, "calm"));
                    assertEquals("calm", reply.at("/result/content/0/text").asText(), reply.toString());
                    Thread.sleep(50);
                }
                long ms = (System.nanoTime() - started) / 1_000_000;
                assertEquals(1, sessions.countByTransport("tcp"), "the client that never reads still connected after "
                        + ms + " ms");
                assertTrue(ms >= 1_000, "dropped after " + ms + " ms, before the write-timeout");
            } finally {
                writer.interrupt();
            }
        }
    }

    @Test
    void aTcpClientThatNeverReadsDelaysNoOtherClientsReply() throws Exception {
        try (SecuredServer s = new SecuredServer(home); Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", s.tcpPort), 10_000);
            OutputStream out = stalled.getOutputStream();
            Thread writer = sendCalls(out, s.token("stalled"), CALLS, BIG, SlowReaderTest::line);
            Thread.sleep(1_000);
            try (LineClient calm = s.tcpAs("calm")) {
                for (int i = 2; i < 12; i++) {
                    long t0 = System.nanoTime();
                    JsonNode reply = calm.request(SecuredServer.echo(i, "calm " + i));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertEquals("calm " + i, reply.at("/result/content/0/text").asText(), reply.toString());
                    assertTrue(ms < BOUND_MS, "call " + i + " answered after " + ms + " ms");
                }
            } finally {
                writer.interrupt();
            }
        }
    }

    /**
     * The benchmark's TCP stall in small: one principal pipelining large calls on more connections than the server has
     * carrier threads, its writers and readers on platform threads (so they are not starved along with the server's
     * virtual threads, as a client process is not). A virtual thread keeps its carrier until it blocks, and a reader
     * whose client always has the next line ready never blocks: before, these readers held every carrier and the calm
     * client's reader waited its turn for as long as the flood went on.
     */
    @Test
    void tcpClientsPipeliningOnEveryCarrierDelayNoOtherClientsReply() throws Exception {
        int connections = 2 * Runtime.getRuntime().availableProcessors() + 1;
        String big = "p".repeat(128 * 1024);
        try (SecuredServer s = new SecuredServer(home)) {
            java.util.List<Socket> floods = new java.util.ArrayList<>();
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
            try {
                for (int c = 0; c < connections; c++) {
                    Socket socket = new Socket("127.0.0.1", s.tcpPort);
                    floods.add(socket);
                    OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                    out.write(line(SecuredServer.initialize(s.token("pipeliner"))));
                    out.flush();
                    threads.add(Thread.ofPlatform().daemon().start(() -> {
                        try {
                            for (int i = 2; !Thread.currentThread().isInterrupted(); i++) {
                                out.write(line(SecuredServer.echo(i, big)));
                            }
                        } catch (Exception e) {
                            // closed at the end
                        }
                    }));
                    InputStream in = socket.getInputStream();
                    threads.add(Thread.ofPlatform().daemon().start(() -> {
                        byte[] buffer = new byte[1 << 16];
                        try {
                            int n;
                            while ((n = in.read(buffer)) >= 0) {
                                int lines = 0;
                                for (int i = 0; i < n; i++) {
                                    lines += buffer[i] == '\n' ? 1 : 0;
                                }
                                answered.addAndGet(lines);
                            }
                        } catch (Exception e) {
                            // closed at the end
                        }
                    }));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (answered.get() < 4L * connections && System.nanoTime() < deadline) {
                    Thread.sleep(20); // the flood is under way on every connection
                }
                try (LineClient calm = s.tcpAs("calm")) {
                    long worst = 0;
                    for (int i = 2; i < 22; i++) {
                        long t0 = System.nanoTime();
                        JsonNode reply = calm.request(SecuredServer.echo(i, "calm " + i));
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        worst = Math.max(worst, ms);
                        assertEquals("calm " + i, reply.at("/result/content/0/text").asText(), reply.toString());
                        assertTrue(ms < BOUND_MS, "call " + i + " of the calm client answered after " + ms + " ms");
                        Thread.sleep(20);
                    }
                    System.out.println("calm worst " + worst + " ms beside " + connections + " pipelining connections");
                }
            } finally {
                threads.forEach(Thread::interrupt);
                for (Socket socket : floods) {
                    socket.close();
                }
            }
        }
    }

    /**
     * Connects {@code socket} with a small receive buffer and upgrades it to a WebSocket for the holder of
     * {@code token}; the test reads nothing from it after the 101.
     */
    private static OutputStream webSocketThatNeverReads(SecuredServer s, Socket socket, String token) throws Exception {
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", s.http.getPort()), 10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + s.http.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(socket.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        return out;
    }

    /**
     * On a thread of its own: {@code initialize}, then {@code calls} echo calls of {@code text}, each framed by
     * {@code framing}. Its writes block once the server stops reading; it ends when the server closes the connection
     * (what these tests expect) or the test interrupts it.
     */
    private static Thread sendCalls(OutputStream out, String token, int calls, String text,
                                    java.util.function.Function<String, byte[]> framing) {
        return Thread.ofVirtual().start(() -> {
            try {
                out.write(framing.apply(SecuredServer.initialize(token)));
                for (int i = 2; i < 2 + calls; i++) {
                    out.write(framing.apply(SecuredServer.echo(i, text)));
                }
            } catch (Exception e) {
                // the server closed the connection
            }
        });
    }

    /** One NDJSON line, as a TCP client sends it. */
    private static byte[] line(String json) {
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** One masked text frame, as a client sends it. */
    static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = {1, 2, 3, 4};
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
