package io.mcpserver.server.transport;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * When a connection's reader hands its carrier on. After every message whose successor was already there, it cost a
 * legitimate pipelining client up to 0.63 of its throughput (docs/benchmarks.md, "Fairness under flood"); never, and
 * two pipelining readers held both carriers of a 2-core machine (SlowReaderTest shows that end to end).
 */
class ReaderYieldTest {

    private final AtomicInteger handedOn = new AtomicInteger();
    private final ReaderYield reader = new ReaderYield(handedOn::incrementAndGet);

    @Test
    void aPipeliningReaderHandsItsCarrierOnOnceInEveryRunOfSixteenMessages() {
        for (int i = 1; i < ReaderYield.RUN; i++) {
            reader.afterMessage(200, true);
        }
        assertEquals(0, handedOn.get(), "not after each message whose successor was there");
        reader.afterMessage(200, true);
        assertEquals(1, handedOn.get(), "after the run's last one");
        for (int i = 0; i < 10 * ReaderYield.RUN; i++) {
            reader.afterMessage(200, true);
        }
        assertEquals(11, handedOn.get());
    }

    @Test
    void aReaderWhoseNextReadMayWaitStartsItsRunAgain() {
        for (int i = 1; i < ReaderYield.RUN; i++) {
            reader.afterMessage(200, true);
        }
        reader.afterMessage(200, false); // nothing buffered: the next read may block and let others run anyway
        for (int i = 1; i < ReaderYield.RUN; i++) {
            reader.afterMessage(200, true);
        }
        assertEquals(0, handedOn.get());
    }

    @Test
    void aLongMessageHandsTheCarrierOnAtOnce() {
        reader.afterMessage(ReaderYield.LONG_MESSAGE, false);
        reader.afterMessage(ReaderYield.LONG_MESSAGE, true);
        assertEquals(2, handedOn.get());
    }
}
