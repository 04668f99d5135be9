package io.mcpserver.server.transport;

import java.util.concurrent.locks.LockSupport;

/**
 * How a connection's reader hands its carrier thread on. A virtual thread keeps its carrier until it blocks, and the
 * reader of a client that pipelines (or sends large messages back to back) never blocks: the next message is always
 * there. Two such readers held both carriers of the fairness benchmark's 2-core machine, and every other connection,
 * the accept loop and the pollers waited up to 0.9 s (docs/benchmarks.md, fairness under flood); in
 * {@code SlowReaderTest} they waited for as long as the flood went on.
 *
 * <p>One per connection, used by its reader thread only. A reader hands its carrier on after a long message, and
 * after {@link #RUN} messages in a row that found the next one already there. Not after every such message: a park
 * per message cost a legitimate pipelining client more than half its throughput (docs/benchmarks.md), while a run of
 * {@link #RUN} small messages holds a carrier for a fraction of a millisecond.
 */
public final class ReaderYield {

    /** A message this long took its reader a while (reading, scanning, parsing): others get the carrier after it. */
    public static final int LONG_MESSAGE = 64 * 1024;
    /** Messages read back to back, without reading having to wait, before the reader hands its carrier on. */
    static final int RUN = 16;

    private final Runnable handOn;
    private int run;

    public ReaderYield() {
        this(ReaderYield::letOthersRun);
    }

    /** @param handOn what handing the carrier on does (tests count it) */
    ReaderYield(Runnable handOn) {
        this.handOn = handOn;
    }

    /**
     * After the reader handed a message of {@code bytes} on.
     *
     * @param more whether the next message is there already (or the client keeps several requests running, so it
     *             is likely to be): reading it will not block
     */
    public void afterMessage(long bytes, boolean more) {
        if (bytes >= LONG_MESSAGE || (more && ++run >= RUN)) {
            run = 0;
            handOn.run();
        } else if (!more) {
            run = 0;
        }
    }

    /**
     * Lets the threads waiting for a carrier run before this reader goes on. Not {@link Thread#yield}: with tasks in
     * its carrier's own queue the yielded thread goes back there, ahead of the threads the pollers woke, which wait in
     * the pool's shared queue (the test above still starved with it). A timed park of a microsecond is resumed by the
     * timer through the shared queue, so the reader takes its turn behind them.
     */
    static void letOthersRun() {
        LockSupport.parkNanos(1_000);
    }
}
