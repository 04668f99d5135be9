package io.mcpserver.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The carriers {@code server.carrier-threads} asks for (that the server applies them: {@code CarrierThreadsIT}). */
class CarrierThreadsTest {

    @Test
    void zeroMeansFourPerProcessorAndAnyOtherValueIsTaken() {
        assertEquals(8, CarrierThreads.wanted(0, 2));
        assertEquals(64, CarrierThreads.wanted(0, 16));
        assertEquals(4, CarrierThreads.wanted(0, 0), "at least one processor");
        assertEquals(3, CarrierThreads.wanted(3, 2));
    }
}
