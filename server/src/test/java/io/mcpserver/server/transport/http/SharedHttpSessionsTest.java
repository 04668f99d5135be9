package io.mcpserver.server.transport.http;

import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.SharedSessionsTest;
import io.mcpserver.server.testing.TestCore;
import io.mcpserver.spi.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes' HTTP sessions on one shared store: a session ended on one node (DELETE) ends the streams the other node
 * holds for it at once, not at its reaper's next tick (up to 30 s later).
 */
class SharedHttpSessionsTest {

    private final SharedSessionsTest.SharedMemoryStore store = new SharedSessionsTest.SharedMemoryStore();
    private final McpCore coreA = core("a");
    private final McpCore coreB = core("b");
    private final HttpSessions a = new HttpSessions(coreA, 100, Duration.ofMinutes(30), 16);
    private final HttpSessions b = new HttpSessions(coreB, 100, Duration.ofMinutes(30), 16);

    private McpCore core(String node) {
        return TestCore.on(store.node(), node);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        coreA.close();
        coreB.close();
    }

    @Test
    void aDeleteOnOneNodeEndsTheOtherNodesStreamsAtOnce() {
        HttpSession opened = a.open("http", Caller.builder("alice").build(), false, "127.0.0.1:1").orElseThrow();
        HttpSession served = b.find(opened.id()).orElseThrow();
        assertFalse(served.standalone().isDrained(), "b's GET stream is open");

        a.close(opened, "DELETE");

        assertTrue(served.isClosed(), "b ended the session's streams when a ended it");
        assertTrue(served.standalone().isDrained(), "b's GET stream is over");
        assertTrue(b.find(opened.id()).isEmpty(), "b answers 404 for it");
    }
}
