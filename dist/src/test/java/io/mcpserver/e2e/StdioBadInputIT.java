package io.mcpserver.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bad input on stdio, sent raw (no SDK would send it): each case gets the right JSON-RPC error, and
 * after each one the same connection still answers a valid request. One server for the whole class,
 * so the cases also show that bad input leaves no damage behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StdioBadInputIT {

    private static final int PARSE_ERROR = -32700;
    private static final int METHOD_NOT_FOUND = -32601;
    private static final int INVALID_PARAMS = -32602;
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static ServerProcess server;
    private static JsonRpcPeer peer;

    @BeforeAll
    static void startAndInitialize() throws Exception {
        server = ServerProcess.builder().name("stdio-bad-input").stdio().tcp(false).http(false).start();
        peer = JsonRpcPeer.stdio(server);
        peer.initialize();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /** Whatever happened, the connection must still serve a valid request. */
    @AfterEach
    void stillAnswers() throws Exception {
        assertTrue(server.isAlive(), "the server died\n" + server.stderr());
        JsonNode pong = peer.request("ping", Map.of(), Duration.ofSeconds(30));
        assertTrue(pong.has("result"), "ping after bad input: " + pong);
        JsonNode tools = peer.request("tools/list", Map.of());
        assertTrue(tools.path("result").path("tools").isArray(), "tools/list after bad input: " + tools);
    }

    @Test
    @Order(1)
    void garbageIsAParseErrorWithNullId() throws Exception {
        peer.sendLine("this is not JSON at all }{");
        assertParseError();
    }

    @Test
    @Order(2)
    void truncatedJsonIsAParseError() throws Exception {
        peer.sendLine("{\"jsonrpc\":\"2.0\",\"id\":4242,\"method\":\"tools/li");
        assertParseError();
    }

    @Test
    @Order(3)
    void unknownMethodIsMethodNotFound() throws Exception {
        JsonNode response = peer.request("no/such/method", Map.of());
        assertEquals(METHOD_NOT_FOUND, response.path("error").path("code").asInt(), response.toString());
        assertFalse(response.path("error").path("message").asText().isBlank(), response.toString());
    }

    @Test
    @Order(4)
    void toolsCallWithoutNameIsInvalidParams() throws Exception {
        JsonNode response = peer.request("tools/call", Map.of("arguments", Map.of()));
        assertEquals(INVALID_PARAMS, response.path("error").path("code").asInt(), response.toString());
        assertFalse(response.path("error").path("message").asText().isBlank(), response.toString());
    }

    @Test
    @Order(5)
    void unknownToolIsInvalidParams() throws Exception {
        JsonNode response = peer.request("tools/call", Map.of("name", "no_such_tool", "arguments", Map.of()));
        assertEquals(INVALID_PARAMS, response.path("error").path("code").asInt(),
                "an unknown tool is a protocol error, not an isError result: " + response);
        assertTrue(response.path("error").path("message").asText().contains("no_such_tool"),
                "the message should name the tool: " + response);
    }

    /** 20 MiB on one line, five times the default limit of 4 MiB: refused, and the stream stays usable. */
    @Test
    @Order(6)
    void aTwentyMegabyteLineIsRefusedCleanly() throws Exception {
        long id = peer.nextId();
        byte[] filler = new byte[20 * 1024 * 1024];
        Arrays.fill(filler, (byte) 'x');
        String head = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"";
        String tail = "\"}}}\n";
        int stderrBefore = server.stderr().length();
        int receivedBefore = peer.received().size();

        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> sent = writer.submit(() -> {
                peer.sendBytes(head.getBytes(StandardCharsets.UTF_8));
                peer.sendBytes(filler);
                peer.sendBytes(tail.getBytes(StandardCharsets.UTF_8));
            });
            try {
                sent.get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("the server stopped reading stdin during a 20 MiB line\n" + server.stderr());
            }
        } finally {
            writer.shutdownNow();
        }

        // the next request is answered (stillAnswers), so by then the refusal has been sent or logged
        JsonNode pong = peer.request("ping", Map.of(), Duration.ofSeconds(30));
        assertTrue(pong.has("result"), "ping after the 20 MiB line: " + pong);

        List<JsonNode> all = peer.received();
        List<JsonNode> received = all.subList(receivedBefore, all.size());
        assertFalse(received.stream().anyMatch(m -> m.path("id").asLong(-1) == id && m.has("result")),
                "a 20 MiB request was executed instead of refused");
        // one -32600 error (id null: the id was never read) naming the size and the limit, and one log line saying so
        JsonNode refusal = received.stream().filter(m -> m.has("error")).findFirst().orElseThrow(
                () -> new AssertionError("no error answered the 20 MiB line: " + received));
        assertTrue(refusal.path("id").isNull(), refusal.toString());
        assertEquals(-32600, refusal.at("/error/code").asInt(), refusal.toString());
        java.util.regex.Matcher said = java.util.regex.Pattern
                .compile("Message too large: (\\d+) bytes exceeds the limit of 4194304 bytes")
                .matcher(refusal.at("/error/message").asText());
        assertTrue(said.find(), refusal.toString());
        assertTrue(Long.parseLong(said.group(1)) > 4_194_304L, refusal.toString());
        String newLog = server.stderr().substring(stderrBefore);
        assertTrue(newLog.matches("(?s).*stdio/\\S+: dropped a message of \\d+ bytes \\(limit 4194304\\).*"),
                "one log line for the dropped message; stderr since:\n" + newLog);
        assertTrue(newLog.length() < 100_000, "the server logged the oversized message itself ("
                + newLog.length() + " chars of stderr)");
    }

    private static void assertParseError() throws InterruptedException {
        JsonNode error = peer.await(m -> m.has("error") && m.path("error").path("code").asInt() == PARSE_ERROR,
                WAIT, "a -32700 parse error");
        assertTrue(error.has("id") && error.get("id").isNull(), "a parse error must carry \"id\": null: " + error);
        assertEquals("2.0", error.path("jsonrpc").asText(), error.toString());
    }
}
