package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.testing.TestCore;
import io.mcpserver.spi.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session keeps its 16 most recent finished POST streams whose end no client has read (for resumption) and drops
 * older ones. A finished stream a connection is still writing, to a client that reads slowly, is not one of those: it
 * was dropped all the same, and its connection ended before the response was written.
 */
class RetainedStreamsTest {

    private final McpCore core = TestCore.on(SessionStore.LOCAL, "");
    private final HttpSessions sessions = new HttpSessions(core, 100, Duration.ofMinutes(30), 64);

    @AfterEach
    void close() {
        sessions.close();
        core.close();
    }

    @Test
    void aFinishedStreamASlowClientIsStillReadingKeepsItsResponseWhileNewerStreamsFinish() throws Exception {
        HttpSession session = sessions.open("http", Caller.builder("alice").build(), false, "127.0.0.1:1").orElseThrow();
        SseStream slow = session.openPostStream(IntNode.valueOf(1));
        slow.send(progress());

        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch clientReadsOn = new CountDownLatch(1);
        StringBuilder read = new StringBuilder();
        SseStream.Connection slowClient = text -> {
            synchronized (read) {
                read.append(text);
            }
            writing.countDown();
            try {
                clientReadsOn.await(); // the first write blocks, as on a full socket
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        AtomicReference<SseStream.End> end = new AtomicReference<>();
        Thread connection = Thread.ofVirtual().start(() -> end.set(slow.pump(slowClient, 0, Duration.ZERO,
                Duration.ZERO, Duration.ofMillis(500))));
        assertTrue(writing.await(30, TimeUnit.SECONDS), "the progress is being written");

        slow.send(response(1)); // the call ends while its client is still reading
        slow.complete();
        for (int id = 2; id <= 20; id++) { // newer calls of the session finish, unread: more than 16 are kept
            SseStream newer = session.openPostStream(IntNode.valueOf(id));
            newer.send(response(id));
            newer.complete();
        }
        clientReadsOn.countDown();
        connection.join(TimeUnit.SECONDS.toMillis(30));

        assertEquals(SseStream.End.DRAINED, end.get(), "the connection wrote the stream to its end");
        synchronized (read) {
            assertTrue(read.toString().contains("\"id\":1,\"result\""), "the response reached the client:\n" + read);
        }
    }

    private static ObjectNode progress() {
        ObjectNode m = Json.object().put("jsonrpc", "2.0").put("method", "notifications/progress");
        m.putObject("params").put("progressToken", "t").put("progress", 1);
        return m;
    }

    private static ObjectNode response(int id) {
        ObjectNode m = Json.object().put("jsonrpc", "2.0").put("id", id);
        m.putObject("result").putArray("content");
        return m;
    }
}
