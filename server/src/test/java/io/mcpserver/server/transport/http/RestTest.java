package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST facade over plain HTTP (security off): every core route, answers as plain JSON, and bad input as a
 * clear 4xx problem+json, never a 500.
 */
class RestTest {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static HttpFixture server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpFixture.start();
        // an upload target: a text file, a binary file (base64) and a number
        java.util.Map<String, Object> schema = java.util.Map.of("type", "object", "properties", java.util.Map.of(
                "notes", java.util.Map.of("type", "string"),
                "data", java.util.Map.of("type", "string", "contentEncoding", "base64"),
                "count", java.util.Map.of("type", "integer")), "required", List.of("notes", "data"));
        server.core.features().register(new io.mcpserver.server.registry.Contributions(
                new io.mcpserver.server.registry.Owner("upload", RestTest.class.getClassLoader()),
                List.of(io.mcpserver.spi.tools.Tool.of(io.mcpserver.spi.tools.ToolDescriptor.builder("upload")
                        .inputSchema(schema).build(), (args, ctx) -> {
                            byte[] data = java.util.Base64.getDecoder().decode((String) args.get("data"));
                            return io.mcpserver.spi.tools.ToolResult.text(args.get("notes") + "|" + data.length
                                    + " bytes, first " + (data[0] & 0xff) + "|" + args.get("count"));
                        })), List.of(), List.of(), List.of(), List.of()));
    }

    /** A multipart/form-data body: parts of {name, filename or null, content}. */
    static byte[] multipart(String boundary, Object[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object[] part : parts) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part[0] + "\""
                    + (part[1] != null ? "; filename=\"" + part[1] + "\"\r\nContent-Type: application/octet-stream"
                    : "") + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.writeBytes(part[2] instanceof byte[] b ? b
                    : String.valueOf(part[2]).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static HttpResponse<String> upload(String contentType, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri("/mcp/v1/tools/upload")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void multipartUploadFillsTextAndBinaryParameters() throws Exception {
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe, 1, 2};
        HttpResponse<String> ok = upload("multipart/form-data; boundary=XyZ", multipart("XyZ",
                new Object[]{"notes", "notes.txt", "caf\u00e9 notes"}, new Object[]{"data", "blob.bin", binary},
                new Object[]{"count", null, "3"}));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("caf\u00e9 notes|5 bytes, first 255|3", json(ok).path("content").path(0).path("text").asText(),
                ok.body());

        // a binary file for a text parameter
        problem(upload("multipart/form-data; boundary=XyZ", multipart("XyZ",
                new Object[]{"notes", "x.bin", binary}, new Object[]{"data", "blob.bin", binary})), 400, -32602);
        // not JSON for a number
        problem(upload("multipart/form-data; boundary=XyZ", multipart("XyZ", new Object[]{"notes", null, "n"},
                new Object[]{"data", "b", binary}, new Object[]{"count", null, "three"})), 400, -32602);
        // no boundary, the wrong boundary, no closing boundary
        problem(upload("multipart/form-data", multipart("XyZ", new Object[]{"notes", null, "n"})), 400, -32602);
        problem(upload("multipart/form-data; boundary=Other", multipart("XyZ", new Object[]{"notes", null, "n"})),
                400, -32602);
        problem(upload("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"notes\""
                .concat("\r\n\r\nunterminated").getBytes(java.nio.charset.StandardCharsets.UTF_8)), 400, -32602);
        // missing a required file: the schema says so, a 4xx
        problem(upload("multipart/form-data; boundary=XyZ", multipart("XyZ", new Object[]{"notes", null, "n"})),
                422, -32602);
        // too large
        problem(upload("multipart/form-data; boundary=XyZ", multipart("XyZ", new Object[]{"notes", null, "n"},
                new Object[]{"data", "big.bin", new byte[5 * 1024 * 1024]})), 413, -32600);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(URI uri, String contentType, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return post(server.uri("/mcp/v1" + path), "application/json", body, headers);
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.parse(response.body());
    }

    /** A problem+json answer with this status and JSON-RPC code. */
    static JsonNode problem(HttpResponse<String> response, int status, int code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode p = json(response);
        assertEquals(status, p.path("status").asInt(), response.body());
        assertEquals(code, p.path("code").asInt(), response.body());
        assertFalse(p.path("detail").asText().isBlank(), response.body());
        return p;
    }

    @Test
    void whileTheServerShutsDownRestCallsAreRefusedAsProblems() throws Exception {
        try (HttpFixture draining = HttpFixture.start()) {
            draining.transport.stopAccepting();
            HttpResponse<String> r = post(draining.uri("/mcp/v1/tools/echo"), "application/json", "{\"text\":\"x\"}");
            problem(r, 503, ErrorCodes.LIMIT_EXCEEDED);
            assertEquals("5", r.headers().firstValue("Retry-After").orElse(""), r.headers().toString());
        }
    }

    @Test
    void aPrincipalsNamedSubscriptionsAreCappedAndADeleteFreesOne() throws Exception {
        try (HttpFixture capped = HttpFixture.start(java.util.Map.of("limits.max-subscriptions-per-session", "2"))) {
            URI named = capped.uri("/mcp/v1/subscriptions");
            HttpResponse<String> first = post(named, "application/json", "{\"uri\":\"test://counter\"}");
            assertEquals(201, first.statusCode(), first.body());
            assertEquals(201, post(named, "application/json", "{\"uri\":\"test://counter\"}").statusCode());
            problem(post(named, "application/json", "{\"uri\":\"test://counter\"}"), 429, ErrorCodes.LIMIT_EXCEEDED);
            HttpResponse<String> deleted = HTTP.send(HttpRequest.newBuilder(capped.uri(first.headers()
                    .firstValue("Location").orElseThrow())).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, deleted.statusCode(), deleted.body());
            assertEquals(201, post(named, "application/json", "{\"uri\":\"test://counter\"}").statusCode());
        }
    }

    @Test
    void initializeAnswersTheServersInfoAndCapabilities() throws Exception {
        HttpResponse<String> r = post("/initialize", "");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertTrue(body.path("capabilities").has("tools"), r.body());
        assertTrue(body.path("supportedVersions").isArray(), r.body());
        assertFalse(body.has("resultType"), "no JSON-RPC envelope: " + r.body());
    }

    @Test
    void toolsListAndCallArePlainJson() throws Exception {
        HttpResponse<String> list = post("/tools/list", "{}");
        assertEquals(200, list.statusCode(), list.body());
        List<String> names = new ArrayList<>();
        json(list).path("tools").forEach(t -> names.add(t.path("name").asText()));
        assertTrue(names.containsAll(List.of("echo", "sleep", "block")), names.toString());

        HttpResponse<String> call = post("/tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
        assertEquals(200, call.statusCode(), call.body());
        assertEquals("application/json", call.headers().firstValue("Content-Type").orElse(""));
        JsonNode result = json(call);
        assertEquals("hi", result.path("content").path(0).path("text").asText(), call.body());
        assertFalse(result.has("jsonrpc") || result.has("resultType"), call.body());
    }

    @Test
    void oneOperationPerToolTakesTheArgumentsAsBody() throws Exception {
        HttpResponse<String> call = post("/tools/echo", "{\"text\":\"plain\"}");
        assertEquals(200, call.statusCode(), call.body());
        assertEquals("plain", json(call).path("content").path(0).path("text").asText(), call.body());
    }

    @Test
    void aToolErrorIsAResultUnlessTheCallerPrefersStrictHandling() throws Exception {
        HttpResponse<String> call = post("/tools/fail", "{\"reason\":\"no luck\"}");
        assertEquals(200, call.statusCode(), call.body());
        assertTrue(json(call).path("isError").asBoolean(), call.body());
        assertEquals("no luck", json(call).path("content").path(0).path("text").asText(), call.body());

        HttpResponse<String> strict = post("/tools/fail", "{\"reason\":\"no luck\"}", "Prefer", "handling=strict");
        JsonNode p = problem(strict, 422, -32603);
        assertTrue(p.path("data").path("result").path("isError").asBoolean(), strict.body());
    }

    @Test
    void resourcesAndTheirErrors() throws Exception {
        HttpResponse<String> list = post("/resources/list", "");
        assertEquals(200, list.statusCode(), list.body());
        assertEquals("test://counter", json(list).path("resources").path(0).path("uri").asText(), list.body());
        HttpResponse<String> read = post("/resources/read", "{\"uri\":\"test://counter\"}");
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("1", json(read).path("contents").path(0).path("text").asText(), read.body());
        problem(post("/resources/read", "{\"uri\":\"test://nothing\"}"), 404, -32602);
        problem(post("/resources/read", "{}"), 400, -32602);
        HttpResponse<String> templates = post("/resources/templates/list", "{}");
        assertEquals(200, templates.statusCode(), templates.body());
    }

    @Test
    void promptsRoutes() throws Exception {
        HttpResponse<String> list = post("/prompts/list", "{}");
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(json(list).path("prompts").isArray(), list.body());
        problem(post("/prompts/get", "{\"name\":\"nothing\"}"), 404, -32602);
    }

    @Test
    void interceptorsApplyToRestCallsBecauseTheyGoThroughTheDispatcher() throws Exception {
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        io.mcpserver.spi.intercept.Interceptor spy = new io.mcpserver.spi.intercept.Interceptor() {
            @Override
            public String name() {
                return "spy";
            }

            @Override
            public java.util.Map<String, Object> intercept(io.mcpserver.spi.intercept.InterceptedRequest request,
                                                           io.mcpserver.spi.intercept.InterceptorChain chain) {
                seen.add(request.transport() + " " + request.method() + " " + request.target().orElse("-") + " "
                        + request.arguments());
                return chain.proceed(request);
            }
        };
        server.core.features().register(new io.mcpserver.server.registry.Contributions(
                new io.mcpserver.server.registry.Owner("spy", RestTest.class.getClassLoader()), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(spy)));
        try {
            HttpResponse<String> call = post("/tools/echo", "{\"text\":\"intercepted\"}");
            assertEquals(200, call.statusCode(), call.body());
            assertTrue(seen.contains("rest tools/call echo {text=intercepted}"), seen.toString());
        } finally {
            server.core.features().unregister("spy");
        }
    }

    @Test
    void badInputIsAClear4xxNeverA500() throws Exception {
        // wrong content type
        problem(post(server.uri("/mcp/v1/tools/echo"), "text/plain", "text=hi"), 415, -32600);
        // malformed JSON
        JsonNode malformed = problem(post("/tools/echo", "{\"text\": "), 400, -32700);
        assertTrue(malformed.path("detail").asText().startsWith("Malformed JSON"), malformed.toString());
        // not an object
        problem(post("/tools/echo", "[1,2]"), 400, -32600);
        // unknown tool, by its operation and by tools/call
        JsonNode unknown = problem(post("/tools/nothing", "{}"), 404, -32602);
        assertTrue(unknown.path("detail").asText().contains("nothing"), unknown.toString());
        problem(post("/tools/call", "{\"name\":\"nothing\"}"), 404, -32602);
        problem(post("/tools/call", "{\"arguments\":{}}"), 400, -32602);
        // arguments failing the tool's inputSchema
        JsonNode invalid = problem(post("/tools/echo", "{\"text\": 42}"), 422, -32602);
        assertTrue(invalid.path("detail").asText().contains("Invalid arguments for tool 'echo'"), invalid.toString());
        problem(post("/tools/echo", "{}"), 422, -32602);
        // too large: over transports.http.max-message-size (the default, 4 MiB)
        String big = "{\"text\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
        problem(post("/tools/echo", big), 413, -32600);
        // a route that does not exist, a route with the wrong method
        problem(post("/nothing/here", "{}"), 404, -32601);
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(server.uri("/mcp/v1/tools/echo")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        problem(get, 405, -32600);
        assertEquals("POST, OPTIONS", get.headers().firstValue("Allow").orElse(""));
        problem(post("/operations/x", "{}"), 405, -32600);
    }

    @Test
    void originChecksAndCorsAsOnTheMcpEndpoint() throws Exception {
        JsonNode refused = problem(post("/tools/echo", "{\"text\":\"x\"}", "Origin", "https://evil.example"), 403,
                -32003);
        assertTrue(refused.path("detail").asText().startsWith("Forbidden"), refused.toString());
        HttpResponse<String> allowed = post("/tools/echo", "{\"text\":\"x\"}", "Origin", "http://localhost:5173");
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertEquals("http://localhost:5173", allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(server.uri("/mcp/v1/tools/echo"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, preflight.statusCode(), preflight.body());
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
    }
}
