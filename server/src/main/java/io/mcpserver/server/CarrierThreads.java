package io.mcpserver.server;

import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.util.OptionalInt;

/**
 * How many platform threads carry the server's virtual threads ({@code server.carrier-threads}). The JDK's default is
 * one per processor, and a virtual thread keeps its carrier for as long as it computes: in the fairness benchmark two
 * threads working on a flooder's 512 KiB WebSocket messages (Helidon reading and unmasking the frame byte by byte, then
 * our parse and echo) held both carriers of the 2-processor machine for up to 0.5 s, no GC pause or safepoint in
 * between, and every other client, the accept loop and the log waited; with 8 carriers the operating system shared
 * the cores among them and the calm clients' p99 under flood stayed within 2× (docs/benchmarks.md).
 *
 * <p>The JDK reads {@code jdk.virtualThreadScheduler.parallelism} once, when the first virtual thread starts, so this
 * is set before the server starts any; a value given on the command line ({@code -D}) is left as it is.
 */
final class CarrierThreads {

    static final String PARALLELISM = "jdk.virtualThreadScheduler.parallelism";
    /** Carriers per processor by default: measured on 2 processors (docs/benchmarks.md, fairness under flood). */
    static final int PER_PROCESSOR = 4;

    private CarrierThreads() {
    }

    /** The carriers wanted: {@code configured}, or {@value #PER_PROCESSOR} × {@code processors} for 0. */
    static int wanted(int configured, int processors) {
        return configured > 0 ? configured : PER_PROCESSOR * Math.max(1, processors);
    }

    /**
     * Sets the scheduler's parallelism for {@code configured} unless the command line did; returns the line to log.
     * Call before any virtual thread is started.
     */
    static String apply(int configured) {
        int processors = Runtime.getRuntime().availableProcessors();
        String given = System.getProperty(PARALLELISM);
        String asked;
        if (given != null) {
            asked = given + " (-D" + PARALLELISM + ")";
        } else {
            int n = wanted(configured, processors);
            System.setProperty(PARALLELISM, Integer.toString(n));
            asked = n + (configured > 0 ? " (server.carrier-threads)" : " (" + PER_PROCESSOR + " × " + processors
                    + " processors)");
        }
        OptionalInt running = running();
        return "Virtual threads: " + asked + " carrier threads"
                + (running.isPresent() && !Integer.toString(running.getAsInt()).equals(asked.split(" ")[0])
                ? "; but the scheduler runs " + running.getAsInt() + " (it started before the setting was read)" : "");
    }

    /**
     * The scheduler's parallelism, read from {@code jdk.management.VirtualThreadSchedulerMXBean} (JDK 24 and later;
     * empty before). Asking starts the scheduler, which is why {@link #apply} sets the property first.
     */
    static OptionalInt running() {
        try {
            @SuppressWarnings("unchecked")
            Class<? extends PlatformManagedObject> type = (Class<? extends PlatformManagedObject>)
                    Class.forName("jdk.management.VirtualThreadSchedulerMXBean");
            Object bean = ManagementFactory.getPlatformMXBean(type);
            return OptionalInt.of((Integer) type.getMethod("getParallelism").invoke(bean));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return OptionalInt.empty(); // JDK 21 to 23: no such bean
        }
    }
}
