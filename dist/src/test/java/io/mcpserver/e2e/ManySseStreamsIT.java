package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed requirement "1,000+ concurrent SSE connections" on the default configuration: the default
 * {@code transports.http.max-sessions} was 1000, so the 1,001st client got 503. Opens {@value #STREAMS}
 * Streamable HTTP sessions, each holding its GET stream open, against {@code bin/mcp-server} with the shipped
 * conf/mcp-server.yaml, then checks that one more client is still served.
 */
class ManySseStreamsIT {

    private static final int STREAMS = 1_050;
    private static final String VERSION = "2025-11-25";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void moreThanAThousandStreamsAreHeldOnTheDefaults() throws Exception {
        try (ServerProcess server = ServerProcess.builder().name("many-sse").tcp(false).plugins("demo").start()) {
            URI mcp = server.httpUri("/mcp");
            List<InputStream> streams = new ArrayList<>();
            try {
                for (int i = 0; i < STREAMS; i++) {
                    String session = initialize(mcp, i);
                    HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(mcp)
                            .header("Accept", "text/event-stream").header("Mcp-Session-Id", session)
                            .header("MCP-Protocol-Version", VERSION).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                    assertEquals(200, get.statusCode(), "stream " + i);
                    streams.add(get.body());
                    byte[] priming = get.body().readNBytes(4);
                    assertEquals("id: ", new String(priming, StandardCharsets.US_ASCII), "stream " + i + " primed");
                }
                // every stream is still open, and one more client is served
                String last = initialize(mcp, STREAMS);
                HttpResponse<String> tools = http.send(post(mcp, last, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, tools.statusCode(), tools.body());
                assertTrue(tools.body().contains("slow_count"), tools.body());
                assertTrue(server.isAlive(), server.stderr());
            } finally {
                for (InputStream stream : streams) {
                    stream.close();
                }
            }
        }
    }

    private String initialize(URI mcp, int i) throws Exception {
        HttpResponse<String> init = http.send(post(mcp, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                + "\"params\":{\"protocolVersion\":\"" + VERSION + "\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"many-sse\",\"version\":\"1\"}}}"), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, init.statusCode(), "session " + i + ": " + init.body());
        String session = init.headers().firstValue("Mcp-Session-Id").orElse(null);
        assertNotNull(session, init.toString());
        JsonNode body = JsonRpcPeer.JSON.readTree(init.body());
        assertTrue(body.has("result"), init.body());
        HttpResponse<String> initialized = http.send(post(mcp, session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, initialized.statusCode(), initialized.body());
        return session;
    }

    private static HttpRequest post(URI mcp, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(mcp).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json") // a JSON reply
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
        }
        return b.build();
    }
}
