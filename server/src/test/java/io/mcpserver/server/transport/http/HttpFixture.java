package io.mcpserver.server.transport.http;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A real HTTP transport on a free loopback port over a protocol core holding a few test tools:
 * {@code echo}, {@code sleep} ({@code ms}), {@code block} (runs until {@link #release released} or interrupted, and
 * reports when it starts and when it is interrupted: the server-side proof of a cancellation), {@code chatty}
 * (progress and logs), {@code ask} (sampling) and the resource {@code test://counter}.
 */
final class HttpFixture implements AutoCloseable {

    final McpCore core;
    final HttpTransport transport;
    final URI base;
    /** The {@code tag} of every {@code block} call, when it starts. */
    final BlockingQueue<String> blockStarted = new LinkedBlockingQueue<>();
    /** The {@code tag} of every {@code block} call whose thread was interrupted. */
    final BlockingQueue<String> blockInterrupted = new LinkedBlockingQueue<>();
    private final Map<String, CountDownLatch> releases = new ConcurrentHashMap<>();

    private HttpFixture(Map<String, String> overrides) throws Exception {
        Map<String, String> keys = new HashMap<>();
        keys.put("server.host", "127.0.0.1");
        keys.put("transports.http.port", "0");
        keys.put("transports.tcp.enabled", "false");
        keys.putAll(overrides);
        Config config = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(keys)).build();
        ServerConfig serverConfig = ServerConfig.from(config, Path.of("target"), null, "test");
        FeatureRegistry features = new FeatureRegistry();
        features.register(new Contributions(new Owner("test", HttpFixture.class.getClassLoader()), tools(),
                List.of(counter()), List.of(), List.of(), List.of()));
        core = new McpCore(serverConfig.protocol(), features, AccessPolicy.ALLOW_ALL, false);
        transport = new HttpTransport(core, serverConfig,
                new Caller("anonymous", Set.of(), Set.of(), null, null, Map.of()));
        transport.start();
        base = URI.create("http://127.0.0.1:" + transport.port());
    }

    static HttpFixture start() throws Exception {
        return new HttpFixture(Map.of());
    }

    /** With config keys set, e.g. {@code transports.http.max-sessions}. */
    static HttpFixture start(Map<String, String> overrides) throws Exception {
        return new HttpFixture(overrides);
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    McpHttpClient client() {
        return new McpHttpClient(uri("/mcp"));
    }

    @Override
    public void close() {
        transport.close();
    }

    /** Lets the {@code block} call named {@code tag} return. */
    void release(String tag) {
        releases.computeIfAbsent(tag, t -> new CountDownLatch(1)).countDown();
    }

    private List<Tool> tools() {
        return List.of(
                Tool.of(ToolDescriptor.builder("block").param("tag", "string", "names the call", true).build(),
                        (args, ctx) -> {
                            String tag = String.valueOf(args.get("tag"));
                            CountDownLatch release = releases.computeIfAbsent(tag, t -> new CountDownLatch(1));
                            blockStarted.add(tag);
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                blockInterrupted.add(tag);
                                throw e;
                            }
                            return ToolResult.text("released " + tag);
                        }),
                Tool.of(ToolDescriptor.builder("echo").title("Echo").param("text", "string", "what to echo", true).build(),
                        (args, ctx) -> ToolResult.text(String.valueOf(args.get("text")))),
                Tool.of(ToolDescriptor.builder("fail").param("reason", "string", "why", true).build(),
                        (args, ctx) -> {
                            throw new io.mcpserver.spi.tools.ToolException(String.valueOf(args.get("reason")));
                        }),
                Tool.of(ToolDescriptor.builder("sleep").param("ms", "integer", "how long", true).build(),
                        (args, ctx) -> {
                            Thread.sleep(((Number) args.get("ms")).longValue());
                            return ToolResult.text("slept");
                        }),
                Tool.of(ToolDescriptor.builder("chatty").description("three progress steps and three logs").build(),
                        (args, ctx) -> {
                            for (int i = 1; i <= 3; i++) {
                                ctx.log(LogLevel.INFO, "chatty", "step " + i);
                                ctx.progress(i, 3.0, "step " + i);
                            }
                            return ToolResult.text("chatted");
                        }),
                Tool.of(ToolDescriptor.builder("ask").param("question", "string", "for the model", true).build(),
                        (args, ctx) -> {
                            var answer = ctx.sample(SamplingRequest.ofUserText((String) args.get("question"), 50));
                            return ToolResult.text("model said: " + ((TextContent) answer.content()).text());
                        }));
    }

    private static Resource counter() {
        return new Resource() {
            @Override
            public ResourceDescriptor descriptor() {
                return new ResourceDescriptor("test://counter", "counter", null, "a counter", "text/plain", null, null);
            }

            @Override
            public List<ResourceContents> read(io.mcpserver.spi.RequestContext context) {
                return List.of(ResourceContents.text("test://counter", "text/plain", "1"));
            }
        };
    }
}
