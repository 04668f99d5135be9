package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every route of the REST facade over plain HTTP against {@code bin/mcp-server} with the demo plugin, once with
 * security off and once on (real signed JWTs, a scope rule): the same walk, the same answers, and with security on
 * the 401 and 403 a client must get.
 */
class RestIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void everyRouteWithSecurityOff() throws Exception {
        try (ServerProcess server = ServerProcess.builder().name("rest").plugins("demo").tcp(false).start()) {
            walk(new Client(server.httpUri("/"), null));
        }
    }

    @Test
    void everyRouteWithSecurityOn() throws Exception {
        TestJwt issuer = new TestJwt();
        Path dir = Files.createTempDirectory(TestEnv.workRoot(), "rest-keys-");
        Path jwks = issuer.writeJwks(dir.resolve("jwks.json"));
        try (ServerProcess server = ServerProcess.builder().name("rest-secured").plugins("demo").tcp(false).config("""
                security:
                  enabled: true
                  resource: %s
                  jwt:
                    jwks-file: %s
                    issuer: %s
                  rules:
                    tools:
                      - match: bump_counter
                        scopes: [demo:write]
                """.formatted(TestJwt.AUDIENCE, jwks, TestJwt.ISSUER)).start()) {
            URI base = server.httpUri("/");
            Client anonymous = new Client(base, null);
            HttpResponse<String> refused = anonymous.post("/tools/echo", "{\"text\":\"x\"}");
            assertEquals(401, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer "));
            assertEquals(-32001, JSON.readTree(refused.body()).path("code").asInt());

            Client reader = new Client(base, issuer.token("rest-reader", null));
            HttpResponse<String> forbidden = reader.post("/tools/bump_counter", "{}");
            assertEquals(403, forbidden.statusCode(), forbidden.body());
            assertTrue(forbidden.headers().firstValue("WWW-Authenticate").orElse("")
                    .contains("scope=\"demo:write\""), forbidden.headers().map().toString());
            JsonNode doc = reader.json(reader.get("/openapi.json"));
            assertTrue(!doc.path("paths").has("/mcp/v1/tools/bump_counter"), "hidden from the reader's document");
            assertEquals("bearer", doc.path("components").path("securitySchemes").path("bearer").path("scheme")
                    .asText());

            walk(new Client(base, issuer.token("rest-writer", "demo:write")));
        }
    }

    /** Every route, as a client allowed to do everything. */
    private static void walk(Client c) throws Exception {
        assertTrue(c.ok(c.post("/initialize", "")).path("capabilities").has("tools"));
        List<String> tools = new ArrayList<>();
        c.ok(c.post("/tools/list", "{}")).path("tools").forEach(t -> tools.add(t.path("name").asText()));
        assertTrue(tools.containsAll(List.of("echo", "slow_count", "bump_counter", "text_stats")), tools.toString());
        assertEquals("a", c.ok(c.post("/tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"a\"}}"))
                .path("content").path(0).path("text").asText());
        assertEquals("b", c.ok(c.post("/tools/echo", "{\"text\":\"b\"}")).path("content").path(0).path("text")
                .asText());
        assertTrue(c.ok(c.post("/tools/fail", "{\"message\":\"no\"}")).path("isError").asBoolean());
        assertEquals(422, c.post("/tools/echo", "{\"text\":1}").statusCode());
        assertEquals(404, c.post("/tools/nothing", "{}").statusCode());

        assertTrue(c.ok(c.post("/resources/list", "{}")).path("resources").toString().contains("demo://counter"));
        assertTrue(c.ok(c.post("/resources/templates/list", "{}")).path("resourceTemplates").size() > 0);
        assertEquals("Hello, Ada!", c.ok(c.post("/resources/read", "{\"uri\":\"demo://greeting/Ada\"}"))
                .path("contents").path(0).path("text").asText());
        assertTrue(c.ok(c.post("/prompts/list", "{}")).path("prompts").toString().contains("greet"));
        assertTrue(c.ok(c.post("/prompts/get", "{\"name\":\"greet\",\"arguments\":{\"name\":\"Ada\"}}"))
                .path("messages").size() > 0);
        assertTrue(c.ok(c.post("/completion/complete", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},"
                + "\"argument\":{\"name\":\"style\",\"value\":\"\"}}")).has("completion"));

        // multipart: a text file for text_stats
        String boundary = "rest-it";
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"text\"; filename=\"t.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\none two three\r\n--" + boundary + "--\r\n";
        HttpResponse<String> upload = c.send(c.request("/mcp/v1/tools/text_stats")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        assertTrue(c.ok(upload).toString().contains("3"), upload.body());

        // an asynchronous call: 202, progress over SSE, then its result; polled and resumed
        HttpResponse<String> started = c.send(c.request("/mcp/v1/tools/slow_count").header("Content-Type",
                "application/json").header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString("{\"count\":3,\"delay_ms\":50}")));
        assertEquals(202, started.statusCode(), started.body());
        String id = JSON.readTree(started.body()).path("operationId").asText();
        List<String[]> events = c.events("/mcp/v1/sse/progress/" + id, null, Integer.MAX_VALUE);
        List<String> names = events.stream().map(e -> e[1]).toList();
        assertEquals("result", names.getLast(), names.toString());
        assertEquals(3, names.stream().filter("progress"::equals).count(), names.toString());
        List<String[]> resumed = c.events("/mcp/v1/sse/progress/" + id, events.get(events.size() - 2)[0],
                Integer.MAX_VALUE);
        assertEquals(1, resumed.size(), "only the last event after Last-Event-ID");
        assertEquals("completed", c.ok(c.get("/mcp/v1/operations/" + id)).path("status").asText());
        assertEquals(200, c.send(c.request("/mcp/v1/operations/" + id).DELETE()).statusCode());

        // a subscription: bump_counter changes demo://counter
        JsonNode sub = c.ok(c.post("/subscriptions", "{\"uri\":\"demo://counter\"}"));
        java.util.concurrent.atomic.AtomicBoolean seen = new java.util.concurrent.atomic.AtomicBoolean();
        Thread bump = Thread.ofVirtual().start(() -> { // until the stream has seen one (it may open late)
            try {
                for (int i = 0; i < 200 && !seen.get(); i++) {
                    Thread.sleep(300);
                    c.post("/tools/bump_counter", "{}");
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        List<String[]> changes = c.events(sub.path("stream").asText(), null, 2);
        seen.set(true);
        bump.join();
        assertEquals("subscribed", changes.get(0)[1]);
        assertEquals("resources/updated", changes.get(1)[1], changes.get(1)[2]);
        assertEquals(204, c.send(c.request("/mcp/v1/subscriptions/" + sub.path("subscriptionId").asText())
                .DELETE()).statusCode());

        HttpResponse<String> yaml = c.get("/openapi.yaml");
        assertEquals(200, yaml.statusCode());
        assertTrue(yaml.body().contains("/mcp/v1/tools/echo"), "the document lists echo");
        assertTrue(c.json(c.get("/openapi.json")).path("paths").has("/mcp/v1/tools/bump_counter"));
        assertEquals(200, c.get("/docs").statusCode());
    }

    /** A plain HTTP client with an optional bearer token. */
    private record Client(URI base, String token) {

        HttpRequest.Builder request(String path) {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return b;
        }

        HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String route, String body) throws Exception {
            return send(request("/mcp/v1" + route).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        HttpResponse<String> get(String path) throws Exception {
            return send(request(path).GET());
        }

        JsonNode json(HttpResponse<String> r) throws Exception {
            return JSON.readTree(r.body());
        }

        /** The body of a 2xx answer. */
        JsonNode ok(HttpResponse<String> r) throws Exception {
            assertTrue(r.statusCode() / 100 == 2, r.request().uri() + ": " + r.statusCode() + " " + r.body());
            return json(r);
        }

        /** The first {@code max} events of an SSE stream (or all, until it ends): {id, event, data}. */
        List<String[]> events(String path, String lastEventId, int max) throws Exception {
            HttpRequest.Builder b = request(path).header("Accept", "text/event-stream").GET();
            if (lastEventId != null) {
                b.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            List<String[]> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String id = null;
                String name = null;
                String data = null;
                String line;
                while (events.size() < max && (line = in.readLine()) != null) {
                    if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        name = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data = line.substring(6);
                    } else if (line.isEmpty() && name != null) {
                        events.add(new String[]{id, name, data});
                        id = null;
                        name = null;
                        data = null;
                    }
                }
            }
            return events;
        }
    }
}
