package io.mcpserver.plugins.interceptors;

import io.mcpserver.spi.Caller;
import io.mcpserver.spi.McpProtocolException;
import io.mcpserver.spi.intercept.InterceptedRequest;
import io.mcpserver.spi.intercept.RequestFailedException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgumentLogTest {

    /** A logger that keeps its DEBUG lines. */
    static final class Recording implements System.Logger {
        final List<String> lines = new ArrayList<>();
        final boolean debug;

        Recording(boolean debug) {
            this.debug = debug;
        }

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return debug || level.getSeverity() >= Level.INFO.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }
    }

    private static InterceptedRequest call(Map<String, Object> arguments) {
        return InterceptedRequest.builder("tools/call").target("login").transport("http").sessionId("s-1")
                .caller(Caller.builder("alice").build()).arguments(arguments).build();
    }

    @Test
    void logsTheRequestWithDeniedFieldsRedactedAtAnyDepth() {
        Recording logger = new Recording(true);
        ArgumentLog log = new ArgumentLog(logger, List.of("password", "api_key"));
        Map<String, Object> result = log.intercept(call(Map.of("user", "alice", "nested",
                        Map.of("apiKey", "k-123", "list", List.of(Map.of("PASSWORD", "p-456"))))),
                r -> Map.of("content", List.of()));
        assertEquals(Map.of("content", List.of()), result);
        assertEquals(1, logger.lines.size(), logger.lines.toString());
        String line = logger.lines.get(0);
        assertTrue(line.startsWith("DEBUG tools/call login by alice (http, session s-1): "), line);
        assertTrue(line.contains("\"user\":\"alice\""), line);
        assertTrue(line.contains("\"apiKey\":\"***\""), line);
        assertTrue(line.contains("\"PASSWORD\":\"***\""), line);
        assertFalse(line.contains("k-123") || line.contains("p-456"), line);
        assertTrue(line.matches(".* -> ok in \\d+ ms"), line);
    }

    @Test
    void aTasksRunSaysWhichTask() {
        Recording logger = new Recording(true);
        ArgumentLog log = new ArgumentLog(logger, List.of("password"));
        log.intercept(call(Map.of("user", "alice")).toBuilder().taskId("t-9").build(), r -> Map.of("content", List.of()));
        String line = logger.lines.get(0);
        assertTrue(line.startsWith("DEBUG tools/call login as task t-9 by alice (http, session s-1): "), line);
    }

    @Test
    void logsErrorsAndRefusalsAndPassesThemOn() {
        Recording logger = new Recording(true);
        ArgumentLog log = new ArgumentLog(logger, List.of());
        RequestFailedException failed = new RequestFailedException(-32602, "bad", null);
        assertThrows(RequestFailedException.class, () -> log.intercept(call(Map.of()), r -> {
            throw failed;
        }));
        assertThrows(McpProtocolException.class, () -> log.intercept(call(Map.of()), r -> {
            throw new McpProtocolException(-31000, "no");
        }));
        assertTrue(logger.lines.get(0).contains("-> error -32602"), logger.lines.toString());
        assertTrue(logger.lines.get(1).contains("-> refused -31000"), logger.lines.toString());
        log.intercept(call(Map.of()), r -> Map.of("isError", true));
        assertTrue(logger.lines.get(2).contains("-> tool error"), logger.lines.toString());
    }

    @Test
    void cutsLongStringsAndEscapes() {
        Recording logger = new Recording(true);
        String line = new ArgumentLog(logger, List.of()).describe(call(Map.of("t", "x".repeat(5000) + "\"")));
        assertTrue(line.contains("…(5001 chars)"), line);
        assertTrue(line.length() < 400, line);
        assertTrue(new ArgumentLog(logger, List.of()).describe(call(Map.of("q", "a\"b\n"))).contains("\"a\\\"b\\n\""));
    }

    @Test
    void withFineOffItOnlyPassesTheRequestOn() {
        Recording logger = new Recording(false);
        new ArgumentLog(logger, List.of()).intercept(call(Map.of("a", 1)), r -> Map.of());
        assertTrue(logger.lines.isEmpty());
    }
}
