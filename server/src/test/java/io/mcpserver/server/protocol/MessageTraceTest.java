package io.mcpserver.server.protocol;

import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At FINE the server traces every message (docs/operations.md said so while only notifications were logged):
 * one line per message in and per request answered, without parameters or results, bounded and escaped.
 */
class MessageTraceTest {

    private static final String SECRET = "s3cr3t-argument-value";

    private final Logger logger = Logger.getLogger(MessageTrace.class.getName());
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level before;
    private TestClient client;

    @BeforeEach
    void setUp() {
        before = logger.getLevel();
        logger.setLevel(Level.FINE);
        logger.addHandler(capture);
        Tool echo = Tool.of(ToolDescriptor.builder("echo").param("text", "string", "text", true).build(),
                (args, ctx) -> ToolResult.text(String.valueOf(args.get("text"))));
        client = new TestClient(TestClient.core(TestClient.settings(10, Duration.ofSeconds(30)), List.of(echo),
                List.of(), List.of(), List.of(), List.of()));
    }

    @AfterEach
    void tearDown() {
        client.close();
        logger.removeHandler(capture);
        logger.setLevel(before);
    }

    @Test
    void everyMessageInAndEveryAnswerOutIsOneLineWithoutPayload() throws Exception {
        client.initialize("2025-11-25", "{}");
        assertEquals(SECRET, client.call("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"" + SECRET + "\"}}")
                .at("/result/content/0/text").asText());
        String longMethod = "x/" + "\u0007\n".repeat(5000);
        client.call(longMethod.replace("\u0007", "\\u0007").replace("\n", "\\n"), null);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos(); // the answer goes out before its trace
        while (lines.stream().noneMatch(l -> l.contains(": error -32601")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertTrue(lines.stream().anyMatch(l -> l.matches(".* <- request initialize id=\\d+")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* <- notification notifications/initialized")),
                lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* <- request tools/call id=\\d+")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* -> tools/call id=\\d+: ok in \\d+ ms")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains(" -> x/\\u0007\\u000a") && l.contains(": error -32601")),
                lines.toString());
        for (String line : lines) {
            assertFalse(line.contains(SECRET), "a payload in the trace: " + line);
            assertFalse(line.contains("\n") || line.contains("\u0007"), "unescaped control characters: " + line);
            assertTrue(line.length() < 300, "unbounded: " + line.length() + " chars");
        }
    }
}
