package io.mcpserver.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.server.testing.OtlpReceiver;
import io.mcpserver.server.testing.OtlpReceiver.ReceivedSpan;
import io.mcpserver.server.testing.WsClient;
import io.mcpserver.spi.tools.TaskSupport;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import io.mcpserver.spi.trace.TraceSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing end to end: a real server (TCP, Streamable HTTP, WebSocket) exports its spans over OTLP/HTTP to a test
 * receiver that decodes them. A client's {@code traceparent} (in {@code _meta}, or in the HTTP headers) becomes the
 * parent of the request's server span, a plugin's span is that span's child, and a malformed one starts a new trace
 * without failing the request.
 */
class TracingTest {

    private static final String HEADER_TRACE = "11111111111111111111111111111111";
    private static final String META_TRACE = "22222222222222222222222222222222";
    private static final String LINKED_TRACE = "33333333333333333333333333333333";
    private static final String TCP_TRACE = "44444444444444444444444444444444";
    private static final String WS_TRACE = "55555555555555555555555555555555";
    private static final String UPGRADE_TRACE = "66666666666666666666666666666666";
    private static final String TASK_TRACE = "77777777777777777777777777777777";
    private static String taskId;
    private static final String PARENT = "00f067aa0ba902b7";

    @TempDir
    static Path home;
    private static OtlpReceiver receiver;
    private static ObservedServer server;

    private static String traceparent(String traceId) {
        return "00-" + traceId + "-" + PARENT + "-01";
    }

    @BeforeAll
    static void start() throws Exception {
        receiver = new OtlpReceiver();
        server = new ObservedServer(home, """
                tracing:
                  enabled: true
                  otlp:
                    endpoint: %s
                """.formatted(receiver.endpoint()));
        server.server.core().features().register(new Contributions(new Owner("traced", TracingTest.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("lookup").param("key", "string", "what to look up", true).build(),
                        (args, ctx) -> {
                            try (TraceSpan span = ctx.startSpan("lookup " + args.get("key"))) {
                                span.attribute("lookup.rows", 3L);
                                try (TraceSpan inner = span.startSpan("parse")) {
                                    inner.attribute("parsed", true);
                                }
                            }
                            return ToolResult.text("found " + args.get("key"));
                        }),
                        Tool.of(ToolDescriptor.builder("background_lookup").taskSupport(TaskSupport.OPTIONAL).build(),
                                (args, ctx) -> {
                                    try (TraceSpan span = ctx.startSpan("scan")) {
                                        span.attribute("scan.rows", 7L);
                                    }
                                    return ToolResult.text("scanned");
                                })),
                List.of(), List.of(), List.of(), List.of()));
        try {
            exercise();
        } finally {
            server.close(); // sends the spans still batched
        }
    }

    private static void exercise() throws Exception {
        // Streamable HTTP: the header's context, then _meta's with the header's as a link
        HttpResponse<String> init = post(null, ObservedServer.INIT);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertEquals(200, post(session, call("h1", "lookup", "{\"key\":\"header\"}", null),
                "traceparent", traceparent(HEADER_TRACE)).statusCode());
        assertEquals(200, post(session, call("h2", "lookup", "{\"key\":\"meta\"}", traceparent(META_TRACE)),
                "traceparent", traceparent(LINKED_TRACE)).statusCode());
        // TCP: _meta, a malformed traceparent, a tool error and a refusal
        try (LineClient tcp = server.tcp()) {
            tcp.initialize(ObservedServer.INIT);
            JsonNode traced = tcp.request(call("t1", "lookup", "{\"key\":\"tcp\"}", traceparent(TCP_TRACE)));
            assertEquals("found tcp", traced.at("/result/content/0/text").asText(), traced.toString());
            JsonNode malformed = tcp.request(call("bad", "echo", "{\"text\":\"still answered\"}",
                    "00-not-a-trace-context-01"));
            assertEquals("still answered", malformed.at("/result/content/0/text").asText(), malformed.toString());
            assertTrue(tcp.request(call("f", "fail", "{}", null)).at("/result/isError").asBoolean());
            assertTrue(tcp.request(call("u", "no_such_tool", "{}", null)).has("error"));
            // a call run as a task (2025-11-25): the run's span outlives the request and is its child
            JsonNode created = tcp.request(call("task", "background_lookup", "{}", traceparent(TASK_TRACE))
                    .replace("\"arguments\":{}", "\"arguments\":{},\"task\":{}"));
            taskId = created.at("/result/task/taskId").asText();
            assertFalse(taskId.isEmpty(), created.toString());
            JsonNode result = tcp.request("{\"jsonrpc\":\"2.0\",\"id\":\"task-result\",\"method\":\"tasks/result\","
                    + "\"params\":{\"taskId\":\"" + taskId + "\"}}");
            assertEquals("scanned", result.at("/result/content/0/text").asText(), result.toString());
        }
        // WebSocket: _meta
        try (WsClient ws = WsClient.connect(URI.create("ws://" + server.http.getAuthority() + "/ws"), "mcp")) {
            ws.send(ObservedServer.INIT);
            ws.response(1);
            ws.send(call("w1", "lookup", "{\"key\":\"ws\"}", traceparent(WS_TRACE)));
            assertEquals("found ws", ws.response("w1").at("/result/content/0/text").asText());
        }
        // WebSocket: the upgrade's traceparent for every request of the connection, unless _meta carries one
        try (WsClient ws = WsClient.connectWith(java.util.Map.of("traceparent", traceparent(UPGRADE_TRACE),
                "tracestate", "test=2"), URI.create("ws://" + server.http.getAuthority() + "/ws"), "mcp")) {
            ws.send(ObservedServer.INIT);
            ws.response(1);
            ws.send(call("u1", "lookup", "{\"key\":\"upgrade\"}", null));
            assertEquals("found upgrade", ws.response("u1").at("/result/content/0/text").asText());
            ws.send(call("u2", "lookup", "{\"key\":\"own\"}", traceparent(WS_TRACE)));
            assertEquals("found own", ws.response("u2").at("/result/content/0/text").asText());
        }
        // a malformed upgrade traceparent: the connection and its requests as usual, their spans new traces
        try (WsClient ws = WsClient.connectWith(java.util.Map.of("traceparent", "00-zz-upgrade-01"),
                URI.create("ws://" + server.http.getAuthority() + "/ws"), "mcp")) {
            ws.send(ObservedServer.INIT);
            ws.response(1);
            ws.send(call("u3", "echo", "{\"text\":\"still answered\"}", null));
            assertEquals("still answered", ws.response("u3").at("/result/content/0/text").asText());
        }
    }

    @AfterAll
    static void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }

    private static String call(String id, String tool, String args, String traceparent) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + args + (traceparent == null ? ""
                : ",\"_meta\":{\"traceparent\":\"" + traceparent + "\",\"tracestate\":\"test=1\"}") + "}}";
    }

    private static HttpResponse<String> post(String session, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.http.resolve("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return ObservedServer.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ReceivedSpan request(String id) throws InterruptedException {
        return receiver.await(s -> s.kind() == OtlpReceiver.KIND_SERVER && id.equals(s.attribute("jsonrpc.request.id")),
                "for request " + id);
    }

    private static ReceivedSpan childOf(ReceivedSpan parent) throws InterruptedException {
        return receiver.await(s -> s.parentSpanId().equals(parent.spanId()), "under " + parent.name());
    }

    @Test
    void theHttpHeadersTraceparentIsTheParentAndThePluginsSpansAreChildren() throws Exception {
        ReceivedSpan span = request("h1");
        assertEquals("tools/call lookup", span.name());
        assertEquals(HEADER_TRACE, span.traceId());
        assertEquals(PARENT, span.parentSpanId());
        assertEquals("tools/call", span.attribute("mcp.method.name"));
        assertEquals("lookup", span.attribute("gen_ai.tool.name"));
        assertEquals("execute_tool", span.attribute("gen_ai.operation.name"));
        assertEquals("tcp", span.attribute("network.transport"));
        assertEquals("http", span.attribute("network.protocol.name"));
        assertEquals("2025-11-25", span.attribute("mcp.protocol.version"));
        assertTrue(span.attribute("mcp.session.id") instanceof String s && !s.isBlank(), span.toString());
        assertNull(span.attribute("error.type"));

        ReceivedSpan plugin = childOf(span);
        assertEquals("lookup header", plugin.name());
        assertEquals(OtlpReceiver.KIND_INTERNAL, plugin.kind());
        assertEquals(HEADER_TRACE, plugin.traceId());
        assertEquals(3L, plugin.attribute("lookup.rows"));
        ReceivedSpan inner = childOf(plugin);
        assertEquals("parse", inner.name());
        assertEquals(true, inner.attribute("parsed"));
    }

    @Test
    void theMetaTraceparentWinsAndTheHeadersContextIsALink() throws Exception {
        ReceivedSpan span = request("h2");
        assertEquals(META_TRACE, span.traceId());
        assertEquals(PARENT, span.parentSpanId());
        assertEquals(List.of(PARENT), span.linkedSpanIds(), "the HTTP request's own context is linked");
        assertEquals("lookup meta", childOf(span).name());
    }

    @Test
    void overTcpAndWebSocketTheMetaTraceparentIsTheParent() throws Exception {
        ReceivedSpan tcp = request("t1");
        assertEquals(TCP_TRACE, tcp.traceId());
        assertEquals(PARENT, tcp.parentSpanId());
        assertEquals("tcp", tcp.attribute("network.transport"));
        assertNull(tcp.attribute("network.protocol.name"));
        assertEquals("lookup tcp", childOf(tcp).name());

        ReceivedSpan ws = request("w1");
        assertEquals(WS_TRACE, ws.traceId());
        assertEquals(PARENT, ws.parentSpanId());
        assertEquals("websocket", ws.attribute("network.protocol.name"));
        assertEquals("lookup ws", childOf(ws).name());
    }

    @Test
    void overWebSocketTheUpgradesTraceparentIsTheParentUnlessTheMessageCarriesItsOwn() throws Exception {
        ReceivedSpan span = request("u1");
        assertEquals(UPGRADE_TRACE, span.traceId());
        assertEquals(PARENT, span.parentSpanId());
        assertEquals("websocket", span.attribute("network.protocol.name"));
        assertEquals("lookup upgrade", childOf(span).name());

        ReceivedSpan own = request("u2");
        assertEquals(WS_TRACE, own.traceId(), "the message's _meta wins");
        assertEquals(PARENT, own.parentSpanId());
        assertEquals(List.of(PARENT), own.linkedSpanIds(), "the upgrade's context is linked, as over HTTP");

        ReceivedSpan malformed = request("u3");
        assertEquals("", malformed.parentSpanId(), "a root span: " + malformed);
        assertNull(malformed.attribute("error.type"));
    }

    @Test
    void aTasksRunHasASpanOfItsOwnUnderTheRequestThatCreatedIt() throws Exception {
        ReceivedSpan created = request("task");
        assertEquals(TASK_TRACE, created.traceId());
        ReceivedSpan run = receiver.await(s -> taskId.equals(s.attribute("mcp.task.id")), "the task's run");
        assertEquals("execute_tool background_lookup", run.name());
        assertEquals(OtlpReceiver.KIND_INTERNAL, run.kind());
        assertEquals(created.spanId(), run.parentSpanId(), "child of the creating request's span");
        assertEquals(TASK_TRACE, run.traceId());
        assertEquals("background_lookup", run.attribute("gen_ai.tool.name"));
        assertEquals("execute_tool", run.attribute("gen_ai.operation.name"));
        assertNull(run.attribute("error.type"));
        ReceivedSpan scan = childOf(run);
        assertEquals("scan", scan.name(), "the plugin's span is under the run's");
        assertEquals(7L, scan.attribute("scan.rows"));
    }

    @Test
    void aMalformedTraceparentStartsANewTraceAndIsNoError() throws Exception {
        ReceivedSpan span = request("bad");
        assertEquals("", span.parentSpanId(), "a root span: " + span);
        assertEquals(32, span.traceId().length());
        assertNotEquals("00000000000000000000000000000000", span.traceId());
        assertNull(span.attribute("error.type"));
        assertNotEquals(OtlpReceiver.STATUS_ERROR, span.statusCode());
    }

    @Test
    void failuresCarryTheirErrorType() throws Exception {
        ReceivedSpan toolError = request("f");
        assertEquals("tool_error", toolError.attribute("error.type"));
        assertEquals(OtlpReceiver.STATUS_ERROR, toolError.statusCode());

        ReceivedSpan refused = request("u");
        assertEquals("tools/call no_such_tool", refused.name());
        Object code = refused.attribute("rpc.response.status_code");
        assertTrue(code instanceof String c && c.startsWith("-32"), refused.toString());
        assertEquals(code, refused.attribute("error.type"));
        assertEquals(OtlpReceiver.STATUS_ERROR, refused.statusCode());
        assertFalse(refused.statusMessage().isBlank());
    }

    @Test
    void everyRequestHasItsSpanIncludingTheHandshake() throws Exception {
        List<String> methods = receiver.spans().stream().filter(s -> s.kind() == OtlpReceiver.KIND_SERVER)
                .map(s -> String.valueOf(s.attribute("mcp.method.name"))).toList();
        assertEquals(5, methods.stream().filter("initialize"::equals).count(), "one per connection: " + methods);
    }
}
