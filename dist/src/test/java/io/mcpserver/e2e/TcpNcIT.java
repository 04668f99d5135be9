package io.mcpserver.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCP transport of {@code bin/mcp-server} driven as a newcomer would: JSON lines through {@code nc}, and the two
 * TCP examples in {@code docs/examples/} (with {@code nc} and {@code python3}, which setup-test-env.sh installs: a
 * missing one fails the test, it is never swapped for something else).
 */
class TcpNcIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.builder().name("tcp-nc").http(false).start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void scriptedSessionOfJsonLinesGetsJsonLinesBack() throws Exception {
        List<String> script = List.of(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"nc\",\"version\":\"1\"}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"text\":\"hello over nc\"}}}",
                "this line is not JSON",
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"slow_count\","
                        + "\"arguments\":{\"count\":3,\"delay_ms\":50},\"_meta\":{\"progressToken\":\"nc-progress\"}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"resources/read\",\"params\":{\"uri\":\"demo://readme\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"prompts/get\",\"params\":{\"name\":\"greet\","
                        + "\"arguments\":{\"name\":\"Ada\"}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"no/such/method\"}");
        List<String> lines = exchange(String.join("\n", script) + "\n");

        Map<String, JsonNode> responses = new LinkedHashMap<>();
        List<JsonNode> progress = new ArrayList<>();
        List<JsonNode> errorsWithoutId = new ArrayList<>();
        for (String line : lines) {
            JsonNode message = JSON.readTree(line); // every line is one JSON message
            assertEquals("2.0", message.path("jsonrpc").asText(), line);
            if (message.has("id") && message.get("id").isNull()) {
                errorsWithoutId.add(message);
            } else if (message.has("id")) {
                responses.put(message.get("id").asText(), message);
            } else if (message.path("method").asText().equals("notifications/progress")) {
                progress.add(message);
            }
        }
        assertEquals(List.of("1", "2", "3", "4", "5", "6", "7"), responses.keySet().stream().sorted().toList(),
                "one response per request: " + lines);
        assertEquals("2025-11-25", responses.get("1").path("result").path("protocolVersion").asText());
        assertTrue(responses.get("2").path("result").path("tools").toString().contains("\"slow_count\""));
        assertEquals("hello over nc", responses.get("3").path("result").path("content").get(0).path("text").asText());
        assertEquals("Counted to 3", responses.get("4").path("result").path("content").get(0).path("text").asText());
        assertEquals(3, progress.size(), "progress notifications: " + lines);
        assertEquals("nc-progress", progress.get(0).path("params").path("progressToken").asText());
        assertTrue(responses.get("5").path("result").path("contents").get(0).path("text").asText().contains("demo plugin"));
        assertTrue(responses.get("6").path("result").path("messages").toString().contains("Ada"));
        assertEquals(-32601, responses.get("7").path("error").path("code").asInt());
        assertEquals(1, errorsWithoutId.size(), "the non-JSON line gets one parse error: " + lines);
        assertEquals(-32700, errorsWithoutId.get(0).path("error").path("code").asInt());
    }

    @Test
    void theNetcatExampleFromTheDocsWorks() throws Exception {
        TestEnv.tool("nc"); // the example calls nc from PATH
        Path example = repositoryRoot().resolve("docs/examples/tcp-session.sh");
        String output = runProcess(List.of("bash", example.toString(), server.host("tcp"),
                Integer.toString(server.tcpPort())));
        List<String> ids = new ArrayList<>();
        for (String line : output.split("\n")) {
            JsonNode message = JSON.readTree(line);
            if (message.has("id")) {
                assertTrue(message.has("result"), "every request of the example succeeds: " + line);
                ids.add(message.get("id").asText());
            }
        }
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), ids.stream().sorted().toList(), output);
    }

    @Test
    void thePythonExampleClientWorks() throws Exception {
        Path python = TestEnv.tool("python3");
        Path example = repositoryRoot().resolve("docs/examples/tcp_client.py");
        String output = runProcess(List.of(python.toString(), example.toString(), "slow_count",
                "{\"count\": 2, \"delay_ms\": 10}", "--host", server.host("tcp"), "--port",
                Integer.toString(server.tcpPort())));
        assertTrue(output.contains("connected to mcp-server"), output);
        assertTrue(output.contains("progress 2"), output);
        assertTrue(output.contains("Counted to 2"), output);
    }

    /** Sends the text through nc, which shuts down its sending side at the end, and returns every line received. */
    private static List<String> exchange(String text) throws Exception {
        Path input = Files.createTempFile(TestEnv.workRoot(), "nc-session-", ".jsonl");
        Files.writeString(input, text);
        String output = runProcess(List.of("bash", "-c", "\"$0\" -N \"$1\" \"$2\" < \"$3\"",
                TestEnv.tool("nc").toString(), server.host("tcp"), Integer.toString(server.tcpPort()), input.toString()));
        return output.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String runProcess(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] stdout = readAll(process.getInputStream());
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        assertEquals(0, process.exitValue(), command + " failed: " + stderr + "\n--- server log ---\n" + server.stderr());
        return new String(stdout, StandardCharsets.UTF_8);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** dist/src/test/node → the repository's root. */
    private static Path repositoryRoot() {
        return TestEnv.nodeScripts().getParent().getParent().getParent().getParent();
    }
}
