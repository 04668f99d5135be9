package io.mcpserver.bench.loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * JFR in a running server (jcmd JFR.start/stop, settings=profile with Java method samples every 2 ms, allocation
 * and old-object samples), summarized with the JDK's own {@code jfr view} and a breakdown of the samples. The
 * recording itself stays out of the results (bench/target/profiles/, for `jfr print` or JMC); the text goes in.
 */
final class Profile {

    private Profile() {
    }

    /** Who a frame belongs to, first match wins (by the frame's class name). */
    private static final String[][] OWNERS = {
            {"com.fasterxml.jackson.", "Jackson (JSON parse/write)"},
            {"com.networknt.", "JSON Schema validation (networknt)"},
            {"io.mcpserver.", "MCP server code (io.mcpserver)"},
            {"io.modelcontextprotocol.", "MCP SDK code"},
            {"reactor.", "Reactor (SDK)"},
            {"org.eclipse.jetty.", "Jetty"},
            {"io.helidon.", "Helidon"},
            {"sun.nio.", "JDK socket I/O"},
            {"java.net.", "JDK socket I/O"},
            {"jdk.internal.vm.", "virtual threads (continuations)"},
            {"java.lang.VirtualThread", "virtual threads (continuations)"},
            {"java.util.concurrent.ForkJoin", "virtual threads (scheduler)"},
            {"java.util.concurrent.", "java.util.concurrent (locks, maps, queues)"},
            {"java.util.regex.", "regular expressions"},
            {"java.util.stream.", "streams"},
            {"java.", "other JDK"},
            {"jdk.", "other JDK"},
            {"sun.", "other JDK"},
    };

    /** Methods whose share of samples (anywhere on the stack) says where a call's time goes. */
    private static final String[] INCLUSIVE = {
            "io.mcpserver.server.protocol.Dispatcher.handle(",
            "io.mcpserver.server.features.ToolMethods.call(",
            "io.mcpserver.server.tools.SchemaValidator.validate(",
            "io.mcpserver.server.json.Json.parse(",
            "io.mcpserver.server.json.Json.writeBytes(",
            "io.mcpserver.server.json.Json.toMap(",
            "io.mcpserver.server.transport.http.StreamableHttpService.post(",
            "io.mcpserver.server.transport.http.Replies.body(",
            "io.mcpserver.server.transport.http.Replies.json(",
            // the per-request costs named in issue 14 item 2: meters, header checks, the call's own thread
            "io.mcpserver.server.observe.ServerMetrics.record(",
            "io.mcpserver.server.transport.http.RequestGuard.admit(",
            "io.mcpserver.server.transport.http.Replies.wantsEventStream(",
            "io.mcpserver.server.transport.http.Replies.acceptsJson(",
            "io.mcpserver.server.transport.http.ReplyOrStream.run(",
            "io.mcpserver.server.transport.http.ReplyOrStream.finish(",
            "io.mcpserver.server.transport.http.SseStream.pump(",
            "io.mcpserver.server.transport.http.SseStream.send(",
            "io.mcpserver.server.transport.http.SseWriter.write(",
            "io.mcpserver.server.transport.http.HttpSession.openPostStream(",
            "io.mcpserver.server.security.AuditLog.completed(",
            "io.helidon.common.mapper.", // Helidon's global mapper registry (Content-Length and other conversions)
            "io.helidon.webserver.http1.Http1Connection.handle(",
            "io.helidon.webserver.http1.Http1ServerResponse.send(",
            "io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider.doPost(",
            "io.modelcontextprotocol.spec.McpSchema.deserializeJsonRpcMessage(",
            "org.eclipse.jetty.server.Server.handle(",
            "reactor.core.publisher.Mono.block(",
    };

    /**
     * CPU samples (jdk.ExecutionSample, printed by {@code jfr print}) by owner of the top frame (self time), and
     * the share of samples with some methods anywhere on the stack (inclusive).
     */
    static String breakdown(String printed) {
        java.util.Map<String, Integer> self = new java.util.TreeMap<>();
        java.util.Map<String, Integer> incl = new java.util.LinkedHashMap<>();
        java.util.Map<String, Integer> topFrames = new java.util.HashMap<>();
        int total = 0;
        List<String> frames = new java.util.ArrayList<>();
        boolean inStack = false;
        for (String line : printed.split("\n")) {
            String t = line.strip();
            if (t.startsWith("stackTrace = [")) {
                inStack = true;
                frames.clear();
            } else if (inStack && t.equals("]")) {
                inStack = false;
                if (frames.isEmpty()) {
                    continue;
                }
                total++;
                String top = frames.get(0);
                self.merge(owner(top), 1, Integer::sum);
                topFrames.merge(top.replaceAll("\\s+line:.*$", ""), 1, Integer::sum);
                for (String m : INCLUSIVE) {
                    if (frames.stream().anyMatch(f -> f.startsWith(m))) {
                        incl.merge(m.substring(0, m.length() - 1), 1, Integer::sum);
                    }
                }
            } else if (inStack && !t.equals("...")) {
                frames.add(t);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("CPU samples: ").append(total).append("\n\nSelf time by owner of the top frame:\n");
        int n = total;
        self.entrySet().stream().sorted((a, c) -> c.getValue() - a.getValue()).forEach(e -> sb.append(String.format(
                java.util.Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * e.getValue() / n, e.getKey())));
        sb.append("\nTop frames (self):\n");
        topFrames.entrySet().stream().sorted((a, c) -> c.getValue() - a.getValue()).limit(20).forEach(e -> sb.append(
                String.format(java.util.Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * e.getValue() / n, e.getKey())));
        sb.append("\nInclusive (method anywhere on the stack):\n");
        incl.forEach((k, v) -> sb.append(String.format(java.util.Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * v / n, k)));
        return sb.toString();
    }

    private static String owner(String frame) {
        for (String[] o : OWNERS) {
            if (frame.startsWith(o[0])) {
                return o[1];
            }
        }
        return "other";
    }

    static String record(Bench b, ServerProc p, String name, List<String> views, Callable<?> during) throws Exception {
        Path jfr = b.benchDir.resolve("target/profiles/" + b.out.getFileName() + "-" + name + ".jfr");
        Files.createDirectories(jfr.getParent());
        String jcmd = b.jcmd;
        Machine.run(List.of(jcmd, Long.toString(p.pid()), "JFR.start", "name=bench", "settings=profile", "jdk.ExecutionSample#period=2ms",
                "filename=" + jfr));
        try {
            during.call();
        } finally {
            Machine.run(List.of(jcmd, Long.toString(p.pid()), "JFR.stop", "name=bench"));
        }
        String tool = Path.of(b.java).resolveSibling("jfr").toString();
        StringBuilder sb = new StringBuilder();
        for (String view : views) {
            sb.append("$ jfr view ").append(view).append('\n');
            sb.append(Machine.run(List.of(tool, "view", "--width", "220", "--truncate", "beginning", "--cell-height", "1",
                    view, jfr.toString()))).append('\n');
        }
        String samples = Machine.run(List.of(tool, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "128",
                jfr.toString()));
        sb.insert(0, breakdown(samples) + "\n");
        Path txt = b.out.resolve(name + ".txt");
        Files.writeString(txt, sb);
        Bench.log("profile written to " + txt);
        return txt.getFileName().toString();
    }
}
