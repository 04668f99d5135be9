package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streamable HTTP in the stateless era (2026-07-28), on a real socket, beside legacy sessions. */
class StatelessHttpTest {

    private static final String V = "2026-07-28";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicInteger ids = new AtomicInteger(1);
    private final CountDownLatch waiting = new CountDownLatch(1);
    private final AtomicBoolean waitInterrupted = new AtomicBoolean();
    private HttpFixture server;

    @BeforeEach
    void setUp() throws Exception {
        server = HttpFixture.start(Map.of("transports.http.sse-keep-alive", "100ms"));
        Map<String, Object> regionSchema = new LinkedHashMap<>();
        regionSchema.put("type", "object");
        regionSchema.put("properties", Map.of(
                "region", Map.of("type", "string", "x-mcp-header", "Region"),
                "limit", Map.of("type", "integer", "x-mcp-header", "Limit"),
                "query", Map.of("type", "string")));
        regionSchema.put("required", List.of("region", "query"));
        server.core.features().register(new Contributions(new Owner("stateless", getClass().getClassLoader()), List.of(
                Tool.of(new ToolDescriptor("run_query", null, "runs a query", regionSchema, null, null),
                        (args, ctx) -> ToolResult.text(args.get("region") + ":" + args.get("query"))),
                Tool.of(ToolDescriptor.builder("wait").build(), (args, ctx) -> {
                    ctx.progress(1, null, "waiting");
                    waiting.countDown();
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        waitInterrupted.set(true);
                        throw e;
                    }
                    return ToolResult.text("waited");
                }),
                Tool.of(ToolDescriptor.builder("confirm").build(), (args, ctx) -> {
                    ElicitationResult r = ctx.elicit("Proceed?", Map.of("type", "object",
                            "properties", Map.of("ok", Map.of("type", "boolean"))));
                    return ToolResult.text("ok=" + r.content().get("ok"));
                })),
                List.of(), List.of(), List.of(), List.of()));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private ObjectNode request(String method, String params, String capabilities) throws Exception {
        ObjectNode p = (ObjectNode) Json.parse(params == null ? "{}" : params);
        ObjectNode meta = p.putObject("_meta");
        meta.put(RequestMeta.PROTOCOL_VERSION, V);
        meta.set(RequestMeta.CLIENT_CAPABILITIES, Json.parse(capabilities));
        meta.putObject(RequestMeta.CLIENT_INFO).put("name", "stateless-http-test").put("version", "1");
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0").put("id", ids.getAndIncrement()).put("method", method);
        m.set("params", p);
        return m;
    }

    /** The headers a conforming client sends for {@code message}. */
    private static Map<String, String> headers(JsonNode message) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("MCP-Protocol-Version", V);
        h.put("Mcp-Method", message.path("method").asText());
        JsonNode params = message.path("params");
        if (params.has("name")) {
            h.put("Mcp-Name", params.path("name").asText());
        } else if (params.has("uri")) {
            h.put("Mcp-Name", params.path("uri").asText());
        }
        return h;
    }

    private HttpResponse<String> post(JsonNode message, Map<String, String> headers, String accept)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/mcp"))
                .header("Content-Type", "application/json").header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(message)));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(JsonNode message) throws Exception {
        return post(message, headers(message), "application/json, text/event-stream");
    }

    /**
     * The response of a POST. The server may stream a reply that stays silent past the keep-alive (100 ms here, for
     * the listen tests), which a loaded machine reaches: then the response is the stream's last event.
     */
    private static JsonNode json(HttpResponse<String> r) throws Exception {
        if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            return events(r.body()).getLast();
        }
        return Json.parse(r.body());
    }

    /** The JSON-RPC messages of an SSE body. */
    private static List<JsonNode> events(String body) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                out.add(Json.parse(line.substring(6)));
            }
        }
        return out;
    }

    @Test
    void discoverAndToolCallNeedNoSession() throws Exception {
        HttpResponse<String> discover = post(request("server/discover", null, "{}"));
        assertEquals(200, discover.statusCode());
        assertTrue(discover.headers().firstValue("Mcp-Session-Id").isEmpty(), "no sessions in 2026-07-28");
        JsonNode d = json(discover).get("result");
        assertEquals("complete", d.path("resultType").asText());
        assertEquals(V, d.at("/supportedVersions/0").asText());

        JsonNode call = request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}", "{}");
        HttpResponse<String> r = post(call, headers(call), "application/json, text/event-stream");
        assertEquals(200, r.statusCode());
        assertEquals("hi", json(r).at("/result/content/0/text").asText());
        // a session id from an older client is ignored
        Map<String, String> withSession = new LinkedHashMap<>(headers(call));
        withSession.put("Mcp-Session-Id", "stale");
        assertEquals(200, post(call, withSession, "application/json").statusCode());
    }

    @Test
    void headersMustMirrorTheBody() throws Exception {
        JsonNode call = request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}", "{}");
        Map<String, String> wrongName = new LinkedHashMap<>(headers(call));
        wrongName.put("Mcp-Name", "other");
        HttpResponse<String> r = post(call, wrongName, "application/json");
        assertEquals(400, r.statusCode());
        assertEquals(-32020, json(r).at("/error/code").asInt());
        assertEquals(call.get("id").asInt(), json(r).path("id").asInt());

        Map<String, String> noMethod = new LinkedHashMap<>(headers(call));
        noMethod.remove("Mcp-Method");
        assertEquals(-32020, json(post(call, noMethod, "application/json")).at("/error/code").asInt());
        Map<String, String> otherVersion = new LinkedHashMap<>(headers(call));
        otherVersion.put("MCP-Protocol-Version", "2025-11-25");
        HttpResponse<String> versionMismatch = post(call, otherVersion, "application/json");
        assertEquals(400, versionMismatch.statusCode());
        assertEquals(-32020, json(versionMismatch).at("/error/code").asInt());

        Map<String, String> encoded = new LinkedHashMap<>(headers(call));
        encoded.put("Mcp-Name", "=?base64?" + Base64.getEncoder().encodeToString("echo".getBytes(StandardCharsets.UTF_8))
                + "?=");
        assertEquals(200, post(call, encoded, "application/json").statusCode());

        // parameters marked x-mcp-header travel as Mcp-Param-* too
        JsonNode query = request("tools/call", "{\"name\":\"run_query\",\"arguments\":{\"region\":\"us-west1\","
                + "\"limit\":42,\"query\":\"select 1\"}}", "{}");
        Map<String, String> params = new LinkedHashMap<>(headers(query));
        params.put("Mcp-Param-Region", "us-west1");
        params.put("Mcp-Param-Limit", "42.0");
        HttpResponse<String> ok = post(query, params, "application/json");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("us-west1:select 1", json(ok).at("/result/content/0/text").asText());
        params.put("Mcp-Param-Region", "eu-west1");
        HttpResponse<String> routedElsewhere = post(query, params, "application/json");
        assertEquals(400, routedElsewhere.statusCode());
        assertTrue(json(routedElsewhere).at("/error/message").asText().contains("Mcp-Param-Region"));
        params.remove("Mcp-Param-Region");
        assertEquals(-32020, json(post(query, params, "application/json")).at("/error/code").asInt());
    }

    @Test
    void headerValuesAreTrimmedAndBase64MustBeCanonical() throws Exception {
        JsonNode query = request("tools/call", "{\"name\":\"run_query\",\"arguments\":{\"region\":\"Hello\","
                + "\"query\":\"q\"}}", "{}");
        Map<String, String> h = new LinkedHashMap<>(headers(query));
        h.put("Mcp-Name", "  run_query\t");
        h.put("Mcp-Param-Region", " =?base64?SGVsbG8=?= ");
        HttpResponse<String> padded = post(query, h, "application/json");
        assertEquals(200, padded.statusCode(), padded.body()); // optional whitespace around a value is no part of it
        for (String bad : List.of("=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?=", "=?base64?SGVsbG8==?=")) {
            h.put("Mcp-Param-Region", bad);
            HttpResponse<String> r = post(query, h, "application/json");
            assertEquals(400, r.statusCode(), bad);
            assertEquals(-32020, json(r).at("/error/code").asInt(), bad);
        }
    }

    @Test
    void versionsMethodsAndVerbsAnswerWithStatelessErrors() throws Exception {
        ObjectNode future = request("tools/list", null, "{}");
        ((ObjectNode) future.at("/params/_meta")).put(RequestMeta.PROTOCOL_VERSION, "2099-01-01");
        Map<String, String> h = headers(future);
        h.put("MCP-Protocol-Version", "2099-01-01");
        HttpResponse<String> r = post(future, h, "application/json");
        assertEquals(400, r.statusCode());
        assertEquals(-32022, json(r).at("/error/code").asInt());
        assertEquals(V, json(r).at("/error/data/supported/0").asText());
        assertEquals(future.get("id").asInt(), json(r).path("id").asInt());

        HttpResponse<String> unknown = post(request("tasks/list", null, "{}"));
        assertEquals(404, unknown.statusCode());
        assertEquals(-32601, json(unknown).at("/error/code").asInt());

        for (String verb : List.of("GET", "DELETE")) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(server.uri("/mcp"))
                    .header("MCP-Protocol-Version", V).header("Accept", "text/event-stream")
                    .method(verb, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, refused.statusCode(), verb);
        }
        // without the stateless header, GET is still the legacy session stream (which needs a session)
        assertEquals(400, http.send(HttpRequest.newBuilder(server.uri("/mcp")).header("Accept", "text/event-stream")
                .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void notificationsStreamWithTheResponse() throws Exception {
        ObjectNode call = request("tools/call", "{\"name\":\"chatty\"}", "{}");
        ObjectNode meta = (ObjectNode) call.at("/params/_meta");
        meta.put("progressToken", "p1");
        meta.put(RequestMeta.LOG_LEVEL, "info");
        HttpResponse<String> r = post(call);
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no", r.headers().firstValue("X-Accel-Buffering").orElse(""));
        List<JsonNode> events = events(r.body());
        assertEquals("notifications/message", events.getFirst().path("method").asText());
        assertTrue(events.stream().anyMatch(e -> "notifications/progress".equals(e.path("method").asText())));
        JsonNode last = events.getLast();
        assertEquals("chatted", last.at("/result/content/0/text").asText());
        assertFalse(r.body().contains("\nid:"), "stateless streams carry no event ids");
    }

    @Test
    void closingTheResponseStreamCancelsTheCall() throws Exception {
        ObjectNode call = request("tools/call", "{\"name\":\"wait\"}", "{}");
        ((ObjectNode) call.at("/params/_meta")).put("progressToken", 1);
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(call)));
        headers(call).forEach(b::header);
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        String first = reader.readLine();
        assertTrue(first.startsWith("data: ") && first.contains("notifications/progress"), first);
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        r.body().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!waitInterrupted.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(waitInterrupted.get(), "the tool was cancelled when its stream closed");
    }

    @Test
    void elicitationRoundTripsAndAForgedStateIsRefused() throws Exception {
        String caps = "{\"elicitation\":{}}";
        JsonNode first = json(post(request("tools/call", "{\"name\":\"confirm\"}", caps))).get("result");
        assertEquals("input_required", first.path("resultType").asText());
        assertEquals("elicitation/create", first.at("/inputRequests/input-0/method").asText());
        String state = first.path("requestState").asText();

        ObjectNode forged = request("tools/call", "{\"name\":\"confirm\"}", caps);
        // Change the MAC's first character: its last one carries base64 padding bits, and overwriting the tail
        // with a fixed "xx" left the MAC valid whenever the tail already decoded to the same bytes (1 run in ~256).
        int mac = state.lastIndexOf('.') + 1;
        char flipped = state.charAt(mac) == 'A' ? 'B' : 'A';
        ((ObjectNode) forged.get("params")).put("requestState", state.substring(0, mac) + flipped
                + state.substring(mac + 1));
        ((ObjectNode) forged.get("params")).set("inputResponses",
                Json.parse("{\"input-0\":{\"action\":\"accept\",\"content\":{\"ok\":true}}}"));
        HttpResponse<String> refused = post(forged);
        assertEquals(400, refused.statusCode());
        assertEquals(-32602, json(refused).at("/error/code").asInt());

        ObjectNode retry = request("tools/call", "{\"name\":\"confirm\"}", caps);
        ((ObjectNode) retry.get("params")).put("requestState", state);
        ((ObjectNode) retry.get("params")).set("inputResponses",
                Json.parse("{\"input-0\":{\"action\":\"accept\",\"content\":{\"ok\":true}}}"));
        JsonNode done = json(post(retry)).get("result");
        assertEquals("complete", done.path("resultType").asText());
        assertEquals("ok=true", done.at("/content/0/text").asText());

        HttpResponse<String> noCapability = post(request("tools/call", "{\"name\":\"confirm\"}", "{}"));
        assertEquals(400, noCapability.statusCode());
        assertEquals(-32021, json(noCapability).at("/error/code").asInt());
    }

    @Test
    void listenStreamsListChangesBesideALegacySession() throws Exception {
        McpHttpClient legacy = server.client().initialize();
        ObjectNode listen = request("subscriptions/listen", "{\"notifications\":{\"toolsListChanged\":true}}", "{}");
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(listen)));
        headers(listen).forEach(b::header);
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        JsonNode ack = nextEvent(reader);
        assertEquals("notifications/subscriptions/acknowledged", ack.path("method").asText());
        assertEquals(listen.get("id").asInt(), ack.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asInt());

        server.core.features().register(new Contributions(new Owner("late", getClass().getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("late_tool").build(), (a, c) -> ToolResult.text("late"))),
                List.of(), List.of(), List.of(), List.of()));
        JsonNode changed = nextEvent(reader);
        assertEquals("notifications/tools/list_changed", changed.path("method").asText());
        assertEquals(listen.get("id").asInt(),
                changed.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asInt());

        // the legacy session works on the same endpoint meanwhile, and sees the new tool
        JsonNode legacyCall = legacy.call("late_tool", "{}");
        assertEquals("late", legacyCall.at("/result/content/0/text").asText());
        assertFalse(legacyCall.get("result").has("resultType"));

        server.core.subscriptions().endAll();
        JsonNode end = nextEvent(reader);
        assertEquals("complete", end.at("/result/resultType").asText());
        r.body().close();
    }

    private static JsonNode nextEvent(BufferedReader reader) throws Exception {
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("data: ")) {
                return Json.parse(line.substring(6));
            }
        }
        throw new AssertionError("the stream ended");
    }
}
