package io.mcpserver.server.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cancellation interrupts the thread running the request, and only while it runs: HTTP runs a POST's call on the
 * request's own thread, which writes the answer after the call, and an interrupt left on it would close the
 * connection.
 */
class InFlightRequestTest {

    @Test
    void aCancelWhileRunningInterruptsTheThread() {
        InFlightRequest request = new InFlightRequest("1");
        request.runOn(Thread.currentThread());
        request.cancel("cancelled by the client");
        assertTrue(Thread.interrupted(), "the running thread was interrupted (and the flag is cleared now)");
    }

    @Test
    void aCancelAfterTheRequestFinishedInterruptsNothing() {
        InFlightRequest request = new InFlightRequest("1");
        request.runOn(Thread.currentThread());
        request.finished();
        request.cancel("cancelled by the client, just too late");
        boolean interrupted = Thread.interrupted();
        assertFalse(interrupted, "a late cancel left an interrupt on the thread that ran the request");
        assertTrue(request.isCancelled());
    }
}
