package io.mcpserver.server.transport.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the Accept header of a POST or GET is read (scanned in place, without splitting). */
class AcceptHeaderTest {

    @Test
    void whatEverySdkSendsAdmitsBothAndNamesTheStream() {
        for (String accept : new String[] {"application/json, text/event-stream", "text/event-stream,application/json",
                " Application/JSON ;q=0.9 ,  TEXT/Event-Stream;q=1 ", ",,application/json,,text/event-stream,"}) {
            assertTrue(Replies.wantsEventStream(accept), accept);
            assertTrue(Replies.acceptsJson(accept), accept);
            assertTrue(Replies.acceptsEventStream(accept), accept);
        }
    }

    @Test
    void wildcardsAdmitButDoNotNameTheStream() {
        assertFalse(Replies.wantsEventStream("*/*"));
        assertTrue(Replies.acceptsJson("*/*"));
        assertTrue(Replies.acceptsEventStream("*/*"));
        assertTrue(Replies.acceptsEventStream("text/*; q=0.5"));
        assertFalse(Replies.acceptsJson("text/*"));
        assertTrue(Replies.acceptsJson("application/*"));
        assertFalse(Replies.acceptsEventStream("application/*"));
    }

    @Test
    void absentOrBlankAdmitsEverythingAndOtherTypesNothing() {
        assertTrue(Replies.acceptsJson(null));
        assertTrue(Replies.acceptsJson("  "));
        assertTrue(Replies.acceptsEventStream(null));
        assertFalse(Replies.wantsEventStream(null));
        assertFalse(Replies.acceptsJson("text/html, application/jsonx, application/json-seq"));
        assertFalse(Replies.acceptsEventStream("text/event-streams, text/plain"));
        assertFalse(Replies.wantsEventStream("text/event-stream-x;a=text/event-stream"));
    }
}
