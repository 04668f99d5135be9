package io.mcpserver.server.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deadline timer: a request's deadline never heads the queue (nothing wakes the timer), cancelled ones leave. */
class DeadlineTimerTest {

    @Test
    void aDeadlineLongerThanTheTickNeverHeadsTheQueueAndACancelledOneLeavesIt() {
        ScheduledThreadPoolExecutor timer = DeadlineTimer.create("test-deadlines");
        try {
            ScheduledFuture<?> deadline = timer.schedule(() -> { }, 15, TimeUnit.SECONDS);
            Runnable head = timer.getQueue().peek();
            assertNotSame(deadline, head, "the tick heads the queue: adding the deadline signalled no one");
            assertTrue(((Delayed) head).getDelay(TimeUnit.MILLISECONDS) <= DeadlineTimer.TICK_MILLIS);
            assertEquals(2, timer.getQueue().size());
            deadline.cancel(false);
            assertEquals(1, timer.getQueue().size(), "a cancelled deadline leaves the queue at once");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aDeadlineShorterThanTheTickFiresOnTime() throws Exception {
        ScheduledThreadPoolExecutor timer = DeadlineTimer.create("test-deadlines");
        try {
            CountDownLatch fired = new CountDownLatch(1);
            long start = System.nanoTime();
            timer.schedule(fired::countDown, 50, TimeUnit.MILLISECONDS);
            assertTrue(fired.await(10, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 50 && ms < DeadlineTimer.TICK_MILLIS + 5_000, ms + " ms");
        } finally {
            timer.shutdownNow();
        }
    }
}
