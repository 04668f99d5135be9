package io.mcpserver.bench.loadgen;

/**
 * The timing of one measured cell: workers start at once, run {@code ramp} unrecorded (connections warm,
 * queues fill), then completions are recorded until {@code end}.
 */
record Cell(long measureStart, long end) {

    static Cell startingNow(double rampSeconds, double measureSeconds) {
        long now = System.nanoTime();
        long start = now + (long) (rampSeconds * 1e9);
        return new Cell(start, start + (long) (measureSeconds * 1e9));
    }

    boolean running() {
        return System.nanoTime() < end;
    }

    /** Whether a call completing at {@code t} counts. */
    boolean counts(long t) {
        return t >= measureStart && t < end;
    }

    double seconds() {
        return (end - measureStart) / 1e9;
    }
}
