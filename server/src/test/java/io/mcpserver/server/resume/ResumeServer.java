package io.mcpserver.server.resume;

import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.security.TestTokens;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * A real server with security on (real signed JWTs), TCP and HTTP (WebSocket on {@code /ws}) on free loopback ports,
 * and tools that let a test drop a connection in the middle of a call:
 * {@code count} (progress 1..n, 5 ms apart), {@code steps} (progress 1..first, then waits for the test's
 * {@link #release}, then progress up to n and a debug log line), {@code roots} (asks the client for its roots) and
 * {@code block} (runs until cancelled).
 */
final class ResumeServer implements AutoCloseable {

    static final String RESOURCE = "test://watched";

    final TestTokens tokens;
    final McpServer server;
    final int tcpPort;
    final int httpPort;
    /** Released once per {@code steps} call that is to go on. */
    final Semaphore release = new Semaphore(0);
    final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();

    ResumeServer(Path home, String sessions) throws Exception {
        tokens = new TestTokens();
        tokens.writeJwks(home.resolve("jwks.json"));
        Path file = home.resolve("mcp.yaml");
        Files.writeString(file, """
                server:
                  host: 127.0.0.1
                plugins:
                  dir: no-plugins
                security:
                  enabled: true
                  resource: %s
                  jwt:
                    jwks-file: jwks.json
                    issuer: %s
                transports:
                  tcp:
                    port: 0
                  http:
                    port: 0
                sessions:
                %s
                """.formatted(TestTokens.AUDIENCE, TestTokens.ISSUER, sessions.indent(2)));
        ServerConfig config = ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), home, file, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", ResumeServer.class.getClassLoader()),
                List.of(count(), steps(), roots(), block()),
                List.of(Resource.of(ResourceDescriptor.of(RESOURCE, "watched", "changes when the test says", "text/plain"),
                        ctx -> List.of())),
                List.of(), List.of(), List.of()));
        server.start();
        tcpPort = port(server.endpoints().get("tcp"));
        httpPort = port(server.endpoints().get("http"));
    }

    String token(String subject) throws Exception {
        return tokens.rs256(TestTokens.claims(subject, null));
    }

    private static int port(String endpoint) {
        return Integer.parseInt(endpoint.replaceAll(".*:", ""));
    }

    private static Tool count() {
        return Tool.of(ToolDescriptor.builder("count").description("counts to n with progress")
                .param("n", "integer", "how far", true).build(), (args, ctx) -> {
                    int n = ((Number) args.get("n")).intValue();
                    for (int i = 1; i <= n; i++) {
                        Thread.sleep(5);
                        ctx.progress(i, (double) n, "step " + i);
                    }
                    return ToolResult.text("counted to " + n);
                });
    }

    private Tool steps() {
        return Tool.of(ToolDescriptor.builder("steps").description("progress, a pause until released, more progress")
                .param("first", "integer", "steps before the pause", true)
                .param("n", "integer", "steps in all", true).build(), (args, ctx) -> {
                    int first = ((Number) args.get("first")).intValue();
                    int n = ((Number) args.get("n")).intValue();
                    for (int i = 1; i <= first; i++) {
                        ctx.progress(i, (double) n, "step " + i);
                    }
                    started.add("steps");
                    release.acquire();
                    for (int i = first + 1; i <= n; i++) {
                        ctx.progress(i, (double) n, "step " + i);
                    }
                    ctx.log(LogLevel.DEBUG, "steps done");
                    return ToolResult.text("stepped to " + n);
                });
    }

    private Tool roots() {
        return Tool.of(ToolDescriptor.builder("roots").description("asks the client for its roots").build(),
                (args, ctx) -> {
                    started.add("roots");
                    return ToolResult.text("roots: " + ctx.roots().stream().map(r -> r.uri()).toList());
                });
    }

    private Tool block() {
        return Tool.of(ToolDescriptor.builder("block").description("runs until cancelled")
                .param("tag", "string", "names the call", true).build(), (args, ctx) -> {
                    String tag = Objects.toString(args.get("tag"));
                    started.add(tag);
                    try {
                        Thread.sleep(120_000);
                    } catch (InterruptedException e) {
                        cancelled.add(tag);
                        throw e;
                    }
                    return ToolResult.text("never cancelled");
                });
    }

    @Override
    public void close() {
        server.close();
    }
}
