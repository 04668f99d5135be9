package io.mcpserver.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real server (TCP and HTTP on free loopback ports) with the tools {@code echo}, {@code fail} (an
 * {@code isError} result), {@code sleep} ({@code ms}) and {@code block} (runs until {@link #release released} or
 * interrupted, and reports both: the server-side proof of a cancellation), and raw clients for it: NDJSON lines over a socket,
 * the JDK's HTTP client for {@code /mcp} and the observe endpoints.
 */
final class ObservedServer implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    final McpServer server;
    final URI http;
    final int tcpPort;
    /** The {@code tag} of every {@code block} call, when it starts. */
    final java.util.concurrent.BlockingQueue<String> blockStarted = new java.util.concurrent.LinkedBlockingQueue<>();
    /** The {@code tag} of every {@code block} call whose thread was interrupted. */
    final java.util.concurrent.BlockingQueue<String> blockInterrupted = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Map<String, java.util.concurrent.CountDownLatch> releases = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param yaml extra configuration, appended to the listeners' (indent it as top-level YAML) */
    ObservedServer(Path home, String yaml) throws Exception {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, """
                server:
                  host: 127.0.0.1
                transports:
                  tcp:
                    port: 0
                  http:
                    port: 0
                plugins:
                  dir: no-plugins
                """ + yaml);
        ServerConfig config = ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", ObservedServer.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("echo").param("text", "string", "text", true).build(),
                                (args, ctx) -> ToolResult.text(String.valueOf(args.get("text")))),
                        Tool.of(ToolDescriptor.builder("fail").build(), (args, ctx) -> ToolResult.error("failed")),
                        Tool.of(ToolDescriptor.builder("sleep").param("ms", "integer", "how long", true).build(),
                                (args, ctx) -> {
                                    Thread.sleep(((Number) args.get("ms")).longValue());
                                    return ToolResult.text("slept " + args.get("ms"));
                                }),
                        Tool.of(ToolDescriptor.builder("block").param("tag", "string", "names the call", true).build(),
                                (args, ctx) -> {
                                    String tag = String.valueOf(args.get("tag"));
                                    var release = releases.computeIfAbsent(tag, t -> new java.util.concurrent.CountDownLatch(1));
                                    blockStarted.add(tag);
                                    try {
                                        release.await();
                                    } catch (InterruptedException e) {
                                        blockInterrupted.add(tag);
                                        throw e;
                                    }
                                    return ToolResult.text("released " + tag);
                                })),
                List.of(), List.of(), List.of(), List.of()));
        server.start();
        http = URI.create("http://" + server.endpoints().get("http"));
        tcpPort = Integer.parseInt(server.endpoints().get("tcp").replaceAll(".*:", ""));
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.resolve(path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs one message to {@code /mcp} asking for a JSON answer. */
    HttpResponse<String> post(String sessionId, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.resolve("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String metrics() throws IOException, InterruptedException {
        HttpResponse<String> res = get("/metrics");
        if (res.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + res.statusCode() + ": " + res.body());
        }
        return res.body();
    }

    /**
     * Scrapes until {@code settled} holds (or 5 s pass): a request is counted just after its response is
     * sent, so a scrape right after reading the response may come a moment too early.
     */
    String metricsUntil(java.util.function.Predicate<String> settled) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        String scraped = metrics();
        while (!settled.test(scraped) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            scraped = metrics();
        }
        return scraped;
    }

    /** Lets the {@code block} call named {@code tag} return. */
    void release(String tag) {
        releases.computeIfAbsent(tag, t -> new java.util.concurrent.CountDownLatch(1)).countDown();
    }

    static String call(int id, String tool, String argsJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argsJson + "}}";
    }

    /**
     * The sum of a Prometheus sample's values over the series whose labels include all of {@code labels}
     * ({@code name{k="v",…} value}); 0 when there is none.
     */
    static double sample(String exposition, String name, Map<String, String> labels) {
        double sum = 0;
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(exposition);
        while (m.find()) {
            String set = m.group(1);
            if (labels.entrySet().stream().allMatch(e -> set.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /** A raw NDJSON client on the TCP listener (30 s for each message: shutdown tests wait on drains). */
    LineClient tcp() throws IOException {
        return LineClient.connect(tcpPort).timeout(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        server.close();
    }
}
