package io.mcpserver.server.transport;

import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A protocol core with a few tools for transport tests: {@code echo}, {@code count} (progress per step) and
 * {@code block} (runs until cancelled, and reports when it starts and when it is cancelled).
 */
public final class TransportFixture {

    public final McpCore core;
    /** The {@code tag} argument of every {@code block} call, when it starts. */
    public final BlockingQueue<String> blockStarted = new LinkedBlockingQueue<>();
    /** The {@code tag} argument of every {@code block} call, when it is interrupted (cancelled). */
    public final BlockingQueue<String> blockCancelled = new LinkedBlockingQueue<>();

    public TransportFixture() {
        Tool echo = Tool.of(ToolDescriptor.builder("echo").description("returns its text")
                .param("text", "string", "text", true).build(),
                (args, ctx) -> ToolResult.text(Objects.toString(args.get("text"))));
        Tool count = Tool.of(ToolDescriptor.builder("count").description("counts to n with progress")
                .param("n", "integer", "how far", true).build(), (args, ctx) -> {
                    int n = ((Number) args.get("n")).intValue();
                    for (int i = 1; i <= n; i++) {
                        Thread.sleep(5);
                        ctx.progress(i, (double) n, "step " + i);
                    }
                    return ToolResult.text("counted to " + n);
                });
        Tool block = Tool.of(ToolDescriptor.builder("block").description("runs until cancelled")
                .param("tag", "string", "names the call", true).build(), (args, ctx) -> {
                    String tag = Objects.toString(args.get("tag"));
                    blockStarted.add(tag);
                    try {
                        Thread.sleep(120_000);
                    } catch (InterruptedException e) {
                        blockCancelled.add(tag);
                        throw e;
                    }
                    return ToolResult.text("never cancelled");
                });
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(new Contributions(new Owner("test", TransportFixture.class.getClassLoader()),
                List.of(echo, count, block), List.of(), List.of(), List.of(), List.of()));
        core = new McpCore(io.mcpserver.server.config.ServerConfig.defaults().protocol(), registry, AccessPolicy.ALLOW_ALL, false);
    }

    public static Caller anonymous() {
        return new Caller("anonymous", Set.of(), Set.of(), null, null, Map.of());
    }

    /** One JSON-RPC request as text. */
    public static String request(Object id, String method, String paramsJson) {
        String idText = id instanceof String s ? "\"" + s + "\"" : String.valueOf(id);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + idText + ",\"method\":\"" + method + "\""
                + (paramsJson == null ? "" : ",\"params\":" + paramsJson) + "}";
    }

    public static String initialize(Object id) {
        return request(id, "initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"transport-test\",\"version\":\"1\"}}");
    }

    public static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    public static String callTool(Object id, String tool, String argumentsJson) {
        return request(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}");
    }

    public static String callToolWithProgress(Object id, String tool, String argumentsJson, String token) {
        return request(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + argumentsJson
                + ",\"_meta\":{\"progressToken\":\"" + token + "\"}}");
    }
}
