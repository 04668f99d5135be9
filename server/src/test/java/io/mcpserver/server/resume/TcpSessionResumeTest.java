package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Session recovery over TCP: NDJSON on a socket, the credential in the first message, drops as TCP resets. */
class TcpSessionResumeTest extends SessionResumeCases {

    @Override
    Wire connect(String bearer) throws Exception {
        LineClient client = LineClient.connect(server.tcpPort).timeout(Duration.ofSeconds(30));
        return new Wire() {
            @Override
            public void send(String json) throws Exception {
                client.send(json);
            }

            @Override
            public JsonNode await(Predicate<JsonNode> match, String what) throws InterruptedException {
                return client.await(match, what);
            }

            @Override
            public List<JsonNode> received() {
                return client.lines().stream().map(TcpSessionResumeTest::parse).toList();
            }

            @Override
            public void drop() throws Exception {
                client.reset();
                client.awaitEof(5_000); // what the reader had taken in before the reset is all the client saw
            }

            @Override
            public boolean endedByServer(Duration within) throws InterruptedException {
                return client.awaitEof(within.toMillis());
            }

            @Override
            public void close() throws Exception {
                client.close();
            }
        };
    }

    @Override
    String credentialMeta(String bearer) {
        return "\"io.mcpserver/authorization\":\"Bearer " + bearer + "\",";
    }

    private static JsonNode parse(String line) {
        try {
            return Json.parse(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
