package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.JsonRpc;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Numbering without touching shared nodes, keeping while detached, replay and what a gap reports. */
class OutboxTest {

    @Test
    void numbersEveryKindOfMessageWithoutChangingTheOriginal() {
        List<ObjectNode> wire = new ArrayList<>();
        Outbox outbox = new Outbox(new InMemoryReplayBuffer(10));
        outbox.attach(wire::add, "c1", null, 0);
        ObjectNode shared = Json.object();
        shared.putObject("_meta").put("cached", true);
        outbox.send(JsonRpc.result(Json.toTree(1), shared));
        outbox.send(JsonRpc.notification("notifications/progress", null));
        outbox.send(JsonRpc.error(Json.toTree(2), -32602, "bad", null));
        outbox.send(JsonRpc.request(Json.toTree("srv-1"), "roots/list", Json.object()));

        assertEquals(1, wire.get(0).path("result").path("_meta").path(ResumeMeta.SEQ).asLong());
        assertTrue(wire.get(0).path("result").path("_meta").path("cached").asBoolean(), "other _meta kept");
        assertFalse(shared.path("_meta").has(ResumeMeta.SEQ), "the shared result node is untouched");
        assertEquals(2, wire.get(1).path("params").path("_meta").path(ResumeMeta.SEQ).asLong());
        assertEquals(3, wire.get(2).path("error").path("data").path(ResumeMeta.SEQ).asLong());
        assertEquals(4, wire.get(3).path("params").path("_meta").path(ResumeMeta.SEQ).asLong());
    }

    @Test
    void keepsWhileDetachedAndReplaysAfterTheClientsLastNumber() {
        List<ObjectNode> first = new ArrayList<>();
        Outbox outbox = new Outbox(new InMemoryReplayBuffer(3));
        outbox.attach(first::add, "c1", null, 0);
        outbox.send(JsonRpc.notification("n", null)); // 1
        assertTrue(outbox.detach("c1"));
        for (int i = 0; i < 4; i++) {
            outbox.send(JsonRpc.notification("n", null)); // 2..5, only 3..5 fit
        }
        assertEquals(1, first.size());
        List<ObjectNode> second = new ArrayList<>();
        boolean[] oldClosed = {false};
        Outbox.Replay replay = outbox.attach(second::add, "c2", () -> oldClosed[0] = true, 1);
        assertEquals(1, replay.lost(), "number 2 fell out");
        assertEquals(2, replay.lostFrom());
        assertEquals(2, replay.lostTo());
        assertEquals(3, replay.replayed());
        assertFalse(oldClosed[0], "no previous connection to close");
        assertFalse(outbox.detach("c1"), "only the connection attached now can leave");
        Outbox.Replay takeover = outbox.attach(new ArrayList<ObjectNode>()::add, "c3", null, 5);
        assertEquals(0, takeover.replayed());
        assertEquals(0, takeover.lost());
    }

    @Test
    void anAcknowledgementTrimsAndIsWhereAResumeWithoutANumberStarts() {
        Outbox outbox = new Outbox(new InMemoryReplayBuffer(10));
        outbox.attach(m -> { }, "c1", null, 0);
        for (int i = 0; i < 6; i++) {
            outbox.send(JsonRpc.notification("n", null));
        }
        assertEquals(6, outbox.defaultResumePoint(), "without acknowledgements: what was written");
        ObjectNode ack = Json.object();
        ack.put("jsonrpc", "2.0").put("method", "ping").putObject("params").putObject("_meta").put(ResumeMeta.ACK, 4);
        outbox.acknowledged(ack);
        assertEquals(2, outbox.kept());
        assertEquals(4, outbox.defaultResumePoint());
        outbox.acknowledge(99); // beyond what was sent: up to the last
        assertEquals(0, outbox.kept());
    }
}
