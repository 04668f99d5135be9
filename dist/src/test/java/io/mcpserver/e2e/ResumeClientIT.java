package io.mcpserver.e2e;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session-recovery client that docs/transports.md shows, run as printed on Node 22 against {@code bin/mcp-server},
 * through a proxy that cuts the connection while {@code slow_count} is reporting progress: the client comes back
 * with its token and sees every progress step once and the result.
 */
class ResumeClientIT {

    private static final Path ROOT = TestEnv.nodeScripts().resolve("../../../..").normalize();
    private static final Pattern EXAMPLE = Pattern.compile("A small client.*?```js\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theDocumentedClientSurvivesADropInTheMiddleOfACall() throws Exception {
        Matcher m = EXAMPLE.matcher(Files.readString(ROOT.resolve("docs/transports.md")));
        assertTrue(m.find(), "docs/transports.md shows the resume client");
        Path script = Files.createTempDirectory(TestEnv.workRoot(), "resume-client-").resolve("resume-client.mjs");
        Files.writeString(script, m.group(1));

        try (ServerProcess server = ServerProcess.builder().name("resume-client").tcp(false).start();
             CuttingProxy proxy = new CuttingProxy(server.httpPort(), 5)) {
            Process node = new ProcessBuilder(TestEnv.node().toString(), script.toString(),
                    "ws://127.0.0.1:" + proxy.port() + "/ws")
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            boolean finished = node.waitFor(2, TimeUnit.MINUTES);
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!finished) {
                node.destroyForcibly();
            }
            String context = "\n--- client ---\n" + out + "\n--- server ---\n" + server.stderr();
            assertTrue(finished && node.exitValue() == 0, "the client did not finish" + context);
            assertEquals(1, proxy.cuts.get(), "the connection was cut once" + context);
            assertEquals(2, proxy.connections.get(), "the client connected again" + context);
            List<String> progress = out.lines().filter(l -> l.startsWith("progress ")).toList();
            assertEquals(IntStream.rangeClosed(1, 20).mapToObj(i -> "progress " + i).toList(), progress,
                    "every step once, in order" + context);
            assertTrue(out.contains("done Counted to 20"), "the result came" + context);
            assertTrue(server.stderr().contains("resumed by a new connection"), "the session was resumed" + context);
        }
    }

    /**
     * Forwards loopback connections to the server and cuts the first one (a reset, no WebSocket close) once the
     * server has sent {@code afterProgress} progress notifications on it.
     */
    static final class CuttingProxy implements AutoCloseable {

        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger cuts = new AtomicInteger();
        private final ServerSocket listener;
        private final int target;
        private final int afterProgress;
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        CuttingProxy(int target, int afterProgress) throws IOException {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.target = target;
            this.afterProgress = afterProgress;
            Thread.ofVirtual().name("cutting-proxy").start(this::accept);
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket client = listener.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(client);
                    open.add(upstream);
                    boolean first = connections.incrementAndGet() == 1;
                    Thread.ofVirtual().start(() -> pump(client, upstream, false));
                    Thread.ofVirtual().start(() -> pump(upstream, client, first));
                }
            } catch (IOException e) {
                // closed
            }
        }

        /** Copies one direction; on the first connection's server side, counts progress and cuts. */
        private void pump(Socket from, Socket to, boolean watch) {
            byte[] buffer = new byte[8192];
            int seen = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                    if (watch) {
                        seen += count(new String(buffer, 0, n, StandardCharsets.ISO_8859_1), "notifications/progress");
                        if (seen >= afterProgress) {
                            cuts.incrementAndGet();
                            reset(from);
                            reset(to);
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                // the other direction ended, or the cut
            } finally {
                close(from);
                close(to);
            }
        }

        private static int count(String text, String what) {
            int n = 0;
            for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
                n++;
            }
            return n;
        }

        private static void reset(Socket s) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // closing anyway
            }
            close(s);
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // gone
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            open.forEach(CuttingProxy::close);
        }
    }
}
