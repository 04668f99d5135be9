package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * What the audit trail and the metrics are told about a request: a client that closes its connection the moment it
 * has read its answer did not cancel that request (on a loaded machine the close used to win the race against the
 * dispatcher's bookkeeping, and an answered, refused call was audited as "cancelled").
 */
class CompletionRecordTest {

    @Test
    void aRequestAnsweredBeforeTheClientLeftIsNotRecordedAsCancelled() throws Exception {
        BlockingQueue<RequestHook.Completion> completions = new LinkedBlockingQueue<>();
        RequestHook hook = new RequestHook() {
            @Override
            public void completed(Completion completion) {
                completions.add(completion);
            }
        };
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(new Contributions(new Owner("test", getClass().getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("echo").build(), (args, ctx) -> ToolResult.text("hi"))),
                List.of(), List.of(), List.of(), List.of()));
        McpCore core = new McpCore(io.mcpserver.server.config.ServerConfig.defaults().protocol(), registry, AccessPolicy.ALLOW_ALL, hook, false);

        AtomicReference<ClientConnection> connection = new AtomicReference<>();
        BlockingQueue<ObjectNode> received = new LinkedBlockingQueue<>();
        // the client reads each answer and, for the tool call's, hangs up at once: before the dispatcher is done
        MessageSink client = message -> {
            received.add(message);
            if (message.path("id").asInt() == 2) {
                connection.get().close();
            }
        };
        connection.set(new ClientConnection(core, "test", new Caller("c", Set.of(), Set.of(), "test", null, Map.of()),
                client, 1 << 20));
        connection.get().receive("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        assertEquals("initialize", completions.poll(10, TimeUnit.SECONDS).method());
        connection.get().receive("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        connection.get().receive("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}}");

        RequestHook.Completion call = completions.poll(10, TimeUnit.SECONDS);
        assertNotNull(call, "the call was recorded");
        assertEquals("tools/call", call.method());
        assertFalse(call.cancelled(), "answered, then the client left: not a cancellation");
        assertEquals("hi", call.result().at("/content/0/text").asText());
    }
}
