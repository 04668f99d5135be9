package io.mcpserver.e2e;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One server process with every transport on (stdio, TCP, Streamable HTTP, legacy HTTP+SSE, WebSocket):
 * the same sequence of requests over each gives the same responses and the same notifications.
 * stdio and TCP are driven from here with raw lines; the HTTP transports and WebSocket by
 * {@code all-transports.mjs} through the official TypeScript SDK's client transports.
 */
class AllTransportsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** initialize, tools/list, a tool call with progress, a resource read, a prompt. */
    private static final ArrayNode SEQUENCE = sequence();

    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.builder().name("all-transports").stdio()
                .args("--tcp-port", "0", "--http-port", "0")
                .start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyTransportGivesTheSameResults() throws Exception {
        assertTrue(server.endpoints().keySet().containsAll(List.of("tcp", "http", "stdio")),
                "all transports listen: " + server.readyLine());

        Map<String, JsonNode> runs = new LinkedHashMap<>();
        Map<String, String> cancelled = new LinkedHashMap<>();
        JsonRpcPeer stdio = JsonRpcPeer.stdio(server);
        runs.put("stdio", run(stdio));
        cancelled.put("stdio", cancelOnTheServer(stdio, "stdio-cancel"));
        try (Socket socket = new Socket(server.host("tcp"), server.tcpPort())) {
            JsonRpcPeer tcp = new JsonRpcPeer(socket.getInputStream(), socket.getOutputStream());
            runs.put("tcp", run(tcp));
            cancelled.put("tcp", cancelOnTheServer(tcp, "tcp-cancel"));
        }
        NodeScript.Result node = NodeScript.of("all-transports.mjs")
                .args("http://" + server.host("http") + ":" + server.httpPort())
                .env("E2E_SEQUENCE", JSON.writeValueAsString(SEQUENCE))
                .timeout(Duration.ofMinutes(2))
                .run();
        JsonNode steps = node.json().path("steps");
        for (String transport : List.of("streamable", "sse", "websocket")) {
            JsonNode step = steps.path(transport);
            if (!step.path("ok").asBoolean()) {
                fail(transport + " failed: " + step + "\n" + node + "\n--- server log ---\n" + server.stderr());
            }
            runs.put(transport, step.path("exchanges"));
            cancelled.put(transport, step.path("cancelled").asText());
        }
        // the server itself stopped the tool: its own record says so, not just the client's "aborted"
        for (var outcome : cancelled.entrySet()) {
            assertTrue(outcome.getValue().startsWith("cancelled"), outcome.getKey() + ": the cancelled sleep's outcome on"
                    + " the server was '" + outcome.getValue() + "'\n--- server log ---\n" + server.stderr());
        }

        JsonNode reference = runs.get("stdio");
        checkReference(reference);
        for (var run : runs.entrySet()) {
            for (int i = 0; i < SEQUENCE.size(); i++) {
                String method = SEQUENCE.get(i).get(0).asText();
                assertEquals(canonical(reference.get(i)), canonical(run.getValue().get(i)),
                        run.getKey() + " differs from stdio for " + method);
            }
        }
        // every connection was a session of its own with an id unique across transports
        for (String prefix : List.of("tcp/tcp-", "websocket/websocket-")) {
            assertTrue(server.stderr().contains(prefix), "client ids with " + prefix + " in the log");
        }
    }

    /** The stdio run is what the others are compared with: make sure it is itself right. */
    private static void checkReference(JsonNode exchanges) {
        assertEquals(SEQUENCE.size(), exchanges.size(), exchanges.toString());
        for (JsonNode exchange : exchanges) {
            assertTrue(exchange.path("response").has("result"), "no result: " + exchange);
        }
        assertEquals(JsonRpcPeer.PROTOCOL_VERSION, exchanges.get(0).path("response").path("result")
                .path("protocolVersion").asText());
        List<String> tools = new ArrayList<>();
        exchanges.get(1).path("response").path("result").path("tools").forEach(t -> tools.add(t.path("name").asText()));
        assertTrue(tools.containsAll(List.of("echo", "slow_count", "sleep")), tools.toString());
        JsonNode count = exchanges.get(2);
        assertEquals("Counted to 3", count.path("response").path("result").path("content").get(0).path("text").asText());
        List<Double> progress = new ArrayList<>();
        count.path("notifications").forEach(n -> {
            if (n.path("method").asText().equals("notifications/progress")) {
                assertEquals("progress-1", n.path("params").path("progressToken").asText());
                progress.add(n.path("params").path("progress").asDouble());
            }
        });
        assertEquals(List.of(1.0, 2.0, 3.0), progress, "progress of slow_count: " + count);
        assertTrue(exchanges.get(3).path("response").path("result").path("contents").get(0).path("text").asText()
                .contains("demo plugin"));
        assertTrue(exchanges.get(4).path("response").path("result").path("messages").get(0).path("content")
                .path("text").asText().contains("Ada"));
    }

    /**
     * The sequence over a raw NDJSON peer, recorded as {@code all-transports.mjs} records it: for each
     * request its response and the notifications that arrived while it ran.
     */
    private static JsonNode run(JsonRpcPeer peer) throws Exception {
        ArrayNode exchanges = JSON.createArrayNode();
        for (int i = 0; i < SEQUENCE.size(); i++) {
            String method = SEQUENCE.get(i).get(0).asText();
            int id = i + 1;
            peer.send(JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method)
                    .set("params", SEQUENCE.get(i).get(1)));
            JsonNode response = peer.awaitResponse(id, TIMEOUT);
            ArrayNode notifications = JSON.createArrayNode();
            for (JsonNode pending : peer.pending()) {
                if (pending.has("method") && !pending.has("id")) {
                    notifications.add(peer.await(m -> m == pending, TIMEOUT, "a notification"));
                }
            }
            ObjectNode exchange = exchanges.addObject();
            exchange.put("method", method);
            exchange.set("response", response);
            exchange.set("notifications", notifications);
            if (method.equals("initialize")) {
                peer.notify("notifications/initialized", null);
            }
        }
        return exchanges;
    }

    /**
     * Starts a {@code sleep} tagged {@code tag}, waits until the server reports it running ({@code demo://calls/tag}),
     * cancels it with {@code notifications/cancelled}, and returns what the server then reports (until it is no longer
     * running, or after the timeout).
     */
    private static String cancelOnTheServer(JsonRpcPeer peer, String tag) throws Exception {
        long id = peer.nextId();
        peer.send(JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call")
                .set("params", JSON.valueToTree(Map.of("name", "sleep", "arguments", Map.of("ms", 60_000, "tag", tag)))));
        String running = awaitOutcome(peer, tag, o -> !o.isEmpty());
        assertEquals("running", running, tag);
        peer.notify("notifications/cancelled", Map.of("requestId", id, "reason", "cancelled by AllTransportsIT"));
        return awaitOutcome(peer, tag, o -> !o.equals("running"));
    }

    /** Reads {@code demo://calls/tag} until {@code done} holds for its text ("" while the server does not know it). */
    private static String awaitOutcome(JsonRpcPeer peer, String tag, java.util.function.Predicate<String> done)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String outcome = "";
        while (System.nanoTime() < deadline) {
            JsonNode read = peer.request("resources/read", Map.of("uri", "demo://calls/" + tag));
            outcome = read.path("result").path("contents").path(0).path("text").asText("");
            if (done.test(outcome)) {
                return outcome;
            }
            Thread.sleep(20);
        }
        return outcome;
    }

    /**
     * Numbers as JavaScript sees them: the Node script re-serializes what it received, and JavaScript has
     * one number type ({@code 1.0} comes back as {@code 1}). Everything else is compared as sent.
     */
    private static JsonNode canonical(JsonNode node) {
        if (node.isNumber()) {
            double value = node.asDouble();
            return value == Math.rint(value) && Math.abs(value) < 1e15
                    ? JSON.getNodeFactory().numberNode((long) value) : JSON.getNodeFactory().numberNode(value);
        }
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), canonical(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            node.forEach(element -> copy.add(canonical(element)));
            return copy;
        }
        return node;
    }

    private static ArrayNode sequence() {
        ArrayNode sequence = JSON.createArrayNode();
        sequence.addArray().add("initialize").add(JSON.valueToTree(Map.of(
                "protocolVersion", JsonRpcPeer.PROTOCOL_VERSION,
                "capabilities", Map.of(),
                "clientInfo", Map.of("name", "mcp-server-e2e-all-transports", "version", "1.0.0"))));
        sequence.addArray().add("tools/list").add(JSON.createObjectNode());
        sequence.addArray().add("tools/call").add(JSON.valueToTree(Map.of(
                "name", "slow_count",
                "arguments", Map.of("count", 3, "delay_ms", 20),
                "_meta", Map.of("progressToken", "progress-1"))));
        sequence.addArray().add("resources/read").add(JSON.valueToTree(Map.of("uri", "demo://readme")));
        sequence.addArray().add("prompts/get").add(JSON.valueToTree(Map.of(
                "name", "greet", "arguments", Map.of("name", "Ada", "style", "formal"))));
        return sequence;
    }
}
