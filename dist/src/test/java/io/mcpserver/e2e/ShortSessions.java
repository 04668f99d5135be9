package io.mcpserver.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Short-lived MCP sessions on every network transport and the end-state checks after many of them, for
 * SessionLeakIT and SoakIT: the JVM's heap after GC, threads and open files, and the /metrics gauges.
 */
final class ShortSessions {

    static final String VERSION = "2025-11-25";
    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** The ways a session ends (a legacy SSE session ends with its stream: the client closes it). */
    enum Ending { HTTP_DELETE, HTTP_VANISH, TCP_CLOSE, TCP_VANISH, WS_CLOSE, WS_VANISH, SSE_CLOSE }

    /** One session: initialize, one echo call, then {@code ending}. */
    void run(ServerProcess server, Ending ending, int n) throws Exception {
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + VERSION
                + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"leak\",\"version\":\"1\"}}}";
        String initialized = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
        String call = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"session " + n + "\"}}}";
        switch (ending) {
            case HTTP_DELETE, HTTP_VANISH -> {
                URI mcp = server.httpUri("/mcp");
                HttpResponse<String> r = http.send(post(mcp, null, init), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                String session = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
                http.send(post(mcp, session, initialized), HttpResponse.BodyHandlers.discarding());
                HttpResponse<String> echoed = http.send(post(mcp, session, call), HttpResponse.BodyHandlers.ofString());
                assertTrue(echoed.body().contains("session " + n), echoed.body());
                if (ending == Ending.HTTP_DELETE) {
                    HttpResponse<Void> deleted = http.send(HttpRequest.newBuilder(mcp).DELETE()
                            .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION).build(),
                            HttpResponse.BodyHandlers.discarding());
                    assertTrue(deleted.statusCode() == 200 || deleted.statusCode() == 204, "DELETE " + deleted.statusCode());
                }
            }
            case TCP_CLOSE, TCP_VANISH -> {
                try (Socket socket = new Socket("127.0.0.1", server.tcpPort())) {
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    out.write((init + "\n" + initialized + "\n" + call + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    String line;
                    while ((line = in.readLine()) != null && !line.contains("session " + n)) {
                        // the initialize result first, then the echo
                    }
                    assertTrue(line != null, "no echo on TCP");
                    if (ending == Ending.TCP_VANISH) {
                        socket.setSoLinger(true, 0); // a reset, no orderly close
                    }
                }
            }
            case WS_CLOSE, WS_VANISH -> {
                CompletableFuture<String> echoed = new CompletableFuture<>();
                StringBuilder partial = new StringBuilder();
                WebSocket ws = http.newWebSocketBuilder().subprotocols("mcp")
                        .buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort() + "/ws"), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                                partial.append(data);
                                if (last) {
                                    if (partial.toString().contains("session " + n)) {
                                        echoed.complete(partial.toString());
                                    }
                                    partial.setLength(0);
                                }
                                socket.request(1);
                                return null;
                            }
                        }).get(30, TimeUnit.SECONDS);
                ws.sendText(init, true).get(30, TimeUnit.SECONDS);
                ws.sendText(initialized, true).get(30, TimeUnit.SECONDS);
                ws.sendText(call, true).get(30, TimeUnit.SECONDS);
                echoed.get(30, TimeUnit.SECONDS);
                if (ending == Ending.WS_CLOSE) {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(30, TimeUnit.SECONDS);
                }
                ws.abort(); // after a close: the TCP connection; alone: vanishing without a close frame
            }
            case SSE_CLOSE -> legacySse(server, init, initialized, call, "session " + n);
        }
    }

    /** GET /sse, the three messages POSTed to the endpoint it names, the echo read from the stream, then closed. */
    private void legacySse(ServerProcess server, String init, String initialized, String call, String expected)
            throws Exception {
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(server.httpUri("/sse"))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode(), "GET /sse");
        try (BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String endpoint = null;
            for (String line; endpoint == null && (line = events.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    endpoint = line.substring(6).strip();
                }
            }
            assertTrue(endpoint != null, "no endpoint event on /sse");
            URI message = server.httpUri(endpoint);
            for (String body : new String[] {init, initialized, call}) {
                HttpResponse<Void> posted = http.send(HttpRequest.newBuilder(message)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.discarding());
                assertEquals(202, posted.statusCode(), "POST " + endpoint);
            }
            String line;
            while ((line = events.readLine()) != null && !line.contains(expected)) {
                // the initialize result first, then the echo
            }
            assertTrue(line != null, "no echo on the SSE stream");
        }
    }

    static HttpRequest post(URI mcp, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(mcp).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
        }
        return b.build();
    }

    /** Waits until /metrics shows no session and no connection on any transport. */
    void awaitGaugesAtZero(ServerProcess server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String metrics = "";
        while (System.nanoTime() < deadline) {
            metrics = http.send(HttpRequest.newBuilder(server.httpUri("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (sum(metrics, "mcp_sessions") == 0 && sum(metrics, "mcp_connections") == 0) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("gauges not back to 0 within 60 s:\n" + metrics.lines()
                .filter(l -> l.startsWith("mcp_sessions") || l.startsWith("mcp_connections")).toList());
    }

    static double sum(String exposition, String name) {
        Matcher m = Pattern.compile("^" + name + "\\{[^}]*\\} (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        double total = 0;
        boolean found = false;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
            found = true;
        }
        if (!found) {
            throw new AssertionError("no " + name + " in /metrics");
        }
        return total;
    }

    /** The end-state figures, with the moment and the machine's load average to read them by (shared machine). */
    record Snapshot(long heapUsed, int threads, int openFiles, String gauges, String at, String loadAverage) {
        @Override
        public String toString() {
            return "heap " + heapUsed / 1024 + " KiB, " + threads + " threads, " + openFiles + " open files, " + gauges
                    + " at " + at + " (load " + loadAverage + ")";
        }
    }

    /** The mcp_sessions and mcp_connections gauges, summed over transports. */
    String gauges(ServerProcess server) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(server.httpUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return String.format("mcp_sessions %.0f, mcp_connections %.0f", sum(metrics, "mcp_sessions"),
                sum(metrics, "mcp_connections"));
    }

    /** {@link #snapshot(long)} with the gauges read after it. */
    Snapshot snapshot(ServerProcess server) throws Exception {
        Snapshot jvm = snapshot(server.process().pid());
        return new Snapshot(jvm.heapUsed(), jvm.threads(), jvm.openFiles(), gauges(server),
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), loadAverage());
    }

    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    /** Heap used after two full GCs (jcmd), JVM threads and open descriptors (/proc). */
    private static Snapshot snapshot(long pid) throws Exception {
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        long heap = 0;
        if (used.find()) {
            heap = Long.parseLong(used.group(1)) * 1024;
        } else {
            throw new AssertionError("no heap figure in jcmd GC.heap_info:\n" + info);
        }
        int threads = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("Threads:")).mapToInt(l -> Integer.parseInt(l.substring(8).strip()))
                .findFirst().orElseThrow();
        int files;
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            files = (int) fds.count();
        }
        return new Snapshot(heap, threads, files, "", "", "");
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(JCMD.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("jcmd " + command + " failed: " + out);
        }
        return out;
    }
}
