package io.mcpserver.bench.sdk;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The comparison server: the official MCP Java SDK's Streamable HTTP servlet transport on Jetty 12.1 (EE11),
 * serving the same {@code echo} tool as our demo plugin, and {@code slow_count} without delay (progress
 * reported {@code count} times, then the result) for the streamed-call cells. Jetty and the SDK run with their defaults.
 * Prints {@code READY http=HOST:PORT} on stdout once listening. Usage: {@code --host H --port N} (0: any).
 */
public final class SdkEchoServer {

    private SdkEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }

        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .build();

        Map<String, Object> schema = Map.of(
                "type", "object",
                "properties", Map.of("text", Map.of("type", "string", "description", "Text to return")),
                "required", List.of("text"));
        McpSchema.Tool echo = McpSchema.Tool.builder()
                .name("echo")
                .title("Echo")
                .description("Returns the text it is given, unchanged.")
                .inputSchema(schema)
                .build();
        McpServerFeatures.SyncToolSpecification echoSpec = McpServerFeatures.SyncToolSpecification.builder()
                .tool(echo)
                .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                        .addTextContent(Objects.toString(request.arguments().get("text"), ""))
                        .isError(false)
                        .build())
                .build();

        // the streamed call of the "progress" cells: what our demo plugin's slow_count does with delay_ms 0
        McpSchema.Tool slowCount = McpSchema.Tool.builder()
                .name("slow_count")
                .description("Counts to count, reporting each step as progress.")
                .inputSchema(Map.of(
                        "type", "object",
                        "properties", Map.of(
                                "count", Map.of("type", "integer", "description", "How far to count"),
                                "delay_ms", Map.of("type", "integer", "description", "Pause per step")),
                        "required", List.of("count")))
                .build();
        McpServerFeatures.SyncToolSpecification slowCountSpec = McpServerFeatures.SyncToolSpecification.builder()
                .tool(slowCount)
                .callHandler((exchange, request) -> {
                    int count = ((Number) request.arguments().get("count")).intValue();
                    Object token = request.meta() == null ? null : request.meta().get("progressToken");
                    for (int i = 1; i <= count; i++) {
                        if (token != null) {
                            exchange.progressNotification(McpSchema.ProgressNotification.builder(token, i)
                                    .total((double) count).message("Counted " + i + " of " + count).build());
                        }
                    }
                    return McpSchema.CallToolResult.builder().addTextContent("Counted to " + count).isError(false)
                            .build();
                })
                .build();

        McpSyncServer mcp = McpServer.sync(transport)
                .serverInfo("sdk-echo", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(echoSpec, slowCountSpec)
                .build();

        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost(host);
        connector.setPort(port);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(transport), "/*");
        jetty.setHandler(context);
        jetty.start();
        System.out.println("READY http=" + host + ":" + connector.getLocalPort());
        System.out.flush();

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                mcp.closeGracefully();
                jetty.stop();
            } catch (Exception ignored) {
                // exiting
            }
        }));
        jetty.join();
    }
}
