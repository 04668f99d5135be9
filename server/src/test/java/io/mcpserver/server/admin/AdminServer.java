package io.mcpserver.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A real server with security off (TCP and HTTP with WebSocket and legacy SSE, on free loopback ports), the tools
 * {@code echo} and {@code block} (runs until interrupted: the server-side proof that a call was cancelled), and the
 * raw clients the admin tests use.
 */
final class AdminServer implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final McpServer server;
    final URI http;
    final int tcpPort;
    final BlockingQueue<String> blockStarted = new LinkedBlockingQueue<>();
    final BlockingQueue<String> blockInterrupted = new LinkedBlockingQueue<>();

    /** @param yaml extra top-level configuration */
    AdminServer(Path home, String yaml) throws Exception {
        this(home, yaml, "127.0.0.1");
    }

    /** @param host the address every listener binds to */
    AdminServer(Path home, String yaml, String host) throws Exception {
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, """
                server:
                  host: %s
                transports:
                  tcp:
                    port: 0
                  http:
                    port: 0
                    # a legacy SSE client that went away is noticed at the next keep-alive write
                    sse-keep-alive: 200ms
                """.formatted(host) + (yaml.contains("plugins:") ? "" : "plugins:\n  dir: no-plugins\n") + yaml);
        ServerConfig config = ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", AdminServer.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("echo").param("text", "string", "text", true).build(),
                                (args, ctx) -> ToolResult.text(String.valueOf(args.get("text")))),
                        Tool.of(ToolDescriptor.builder("block").param("tag", "string", "names the call", true).build(),
                                (args, ctx) -> {
                                    String tag = String.valueOf(args.get("tag"));
                                    blockStarted.add(tag);
                                    try {
                                        new CountDownLatch(1).await();
                                    } catch (InterruptedException e) {
                                        blockInterrupted.add(tag);
                                        throw e;
                                    }
                                    return ToolResult.text("never");
                                })),
                List.of(), List.of(), List.of(), List.of()));
        server.start();
        http = URI.create("http://127.0.0.1:" + server.endpoints().get("http").replaceAll(".*:", ""));
        tcpPort = Integer.parseInt(server.endpoints().get("tcp").replaceAll(".*:", ""));
    }

    static String initialize(String clientName) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"" + clientName + "\",\"version\":\"1.2\"}}}";
    }

    static String block(int id, String tag) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"block\","
                + "\"arguments\":{\"tag\":\"" + tag + "\"}}}";
    }

    HttpResponse<String> admin(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode adminJson(String method, String path, String... headers) throws Exception {
        HttpResponse<String> res = admin(method, path, headers);
        if (res.statusCode() != 200) {
            throw new AssertionError(method + " " + path + " answered " + res.statusCode() + ": " + res.body());
        }
        return Json.parse(res.body());
    }

    /** A Streamable HTTP session: initialize, and the session id. */
    String httpSession(String clientName) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(http.resolve("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(initialize(clientName))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new AssertionError("initialize over HTTP: " + res.statusCode() + " " + res.body());
        }
        return res.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    int postToSession(String sessionId, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(http.resolve("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    /** A legacy SSE stream held open on a raw socket, after its {@code endpoint} event arrived. */
    Socket sseStream() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", http.getPort()), 10_000);
        socket.setSoTimeout(15_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /sse HTTP/1.1\r\nHost: 127.0.0.1:" + http.getPort() + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.contains("/message?sessionId=")) {
                return socket;
            }
        }
        throw new IOException("the SSE stream ended before its endpoint event");
    }

    /** Polls presence until it lists {@code count} entries (15 s at most); the entries. */
    List<io.mcpserver.server.presence.PresenceEntry> awaitPresence(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        List<io.mcpserver.server.presence.PresenceEntry> now = server.presence().list();
        while (now.size() != count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = server.presence().list();
        }
        return now;
    }

    @Override
    public void close() {
        server.close();
    }
}
