package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.mcpserver.server.testing.Properties.forAll;
import static io.mcpserver.server.testing.Properties.string;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SSE event ids and replay: an id names its stream and its place ({@code seqOf(eventId(n)) == n}, the stream key
 * comes back from the id); resuming after any event id yields exactly the events after it, in order, when they are
 * still in the replay buffer, and otherwise exactly the ones the buffer kept (the oldest fell out).
 */
class SseReplayPropertiesTest {

    private static final Duration NONE = Duration.ZERO;
    private static final Pattern EVENT = Pattern.compile("id: (\\S+)\\nevent: message\\ndata: \\{\"n\":(\\d+)}");

    private record Seen(String id, int n) {
    }

    private static List<Seen> pumped(SseStream stream, long after) {
        StringBuilder text = new StringBuilder();
        assertEquals(SseStream.End.DRAINED, stream.pump(text::append, after, NONE, NONE, Duration.ofMillis(500)));
        List<Seen> seen = new ArrayList<>();
        Matcher m = EVENT.matcher(text);
        while (m.find()) {
            seen.add(new Seen(m.group(1), Integer.parseInt(m.group(2))));
        }
        return seen;
    }

    @Test
    void idsRoundTripAndResumingFromAnyIdYieldsExactlyTheMissedEvents() {
        forAll(400, random -> {
            String key = string(random, "abcdefghijklmnopqrstuvwxyz0123456789-", 1 + random.nextInt(12))
                    .replaceFirst("^-+", "k");
            int capacity = 1 + random.nextInt(40);
            int events = random.nextInt(80);
            SseStream stream = new SseStream(key, "test/c", capacity, true);
            for (int i = 1; i <= events; i++) {
                ObjectNode m = Json.object();
                m.put("n", i);
                stream.send(m);
            }
            stream.complete();
            long after = random.nextInt(events + 1);
            String lastEventId = stream.eventId(after);
            assertEquals(after, stream.seqOf(lastEventId), lastEventId);
            assertEquals(key, SseStream.streamKeyOf(lastEventId), lastEventId);
            List<Seen> seen = pumped(stream, stream.seqOf(lastEventId));
            long firstKept = Math.max(after, (long) events - capacity) + 1;
            List<Seen> expected = new ArrayList<>();
            for (long n = firstKept; n <= events; n++) {
                expected.add(new Seen(stream.eventId(n), (int) n));
            }
            assertEquals(expected, seen, "resume after " + after + " of " + events + ", capacity " + capacity);
        });
    }
}
