package io.mcpserver.server.security;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One audit file and the background thread that writes it. Callers hand over lines with {@link #offer} and never
 * wait: when the queue is full or the file cannot be written, the line is dropped and counted. An I/O error does
 * not end the writer: it closes the file, waits (1 s, doubling up to 30 s), reopens and goes on, so the trail
 * resumes by itself once the disk has room again. Each change between writable and failing is logged once.
 */
final class AuditWriter {

    private static final System.Logger LOG = System.getLogger(AuditWriter.class.getName());
    private static final String END = "\u0000end";
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    private final String name;
    private final Path path;
    private final long maxFileSize;
    private final int maxFiles;
    private final BlockingQueue<String> queue;
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile java.util.function.LongConsumer onDropped = n -> { };
    private volatile long settled; // lines written or dropped by the writer (for awaitWritten)
    private volatile boolean healthy = true;
    private volatile String problem;
    private volatile boolean closed;
    private RotatingFile file;
    private Thread thread;

    /** @param name what the file holds, for log lines ("audit log", "audit refusals log") */
    AuditWriter(String name, Path path, long maxFileSize, int maxFiles, int queueCapacity) {
        this.name = name;
        this.path = path;
        this.maxFileSize = maxFileSize;
        this.maxFiles = maxFiles;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
    }

    /** Opens the file (an error here stops the server: the configuration is wrong) and starts the writer. */
    synchronized void start() throws IOException {
        file = new RotatingFile(path, maxFileSize, maxFiles);
        thread = Thread.ofPlatform().daemon().name("mcp-" + name.replace(' ', '-') + "-writer").start(this::drain);
    }

    /** Queues a line without waiting; false (and counted as dropped) when the queue is full or the writer stopped. */
    boolean offer(String line) {
        if (closed) {
            drop(1);
            return false;
        }
        offered.incrementAndGet();
        if (!queue.offer(line)) {
            offered.decrementAndGet();
            drop(1);
            markFailing("the writer is " + queue.size() + " lines behind");
            return false;
        }
        return true;
    }

    boolean healthy() {
        return healthy;
    }

    /** Why the file is not being written, null while it is. */
    String problem() {
        return healthy ? null : problem;
    }

    void onDropped(java.util.function.LongConsumer lost) {
        onDropped = lost;
    }

    private void drop(long lines) {
        if (lines > 0) {
            dropped.addAndGet(lines);
            onDropped.accept(lines);
        }
    }

    long dropped() {
        return dropped.get();
    }

    Path path() {
        return path;
    }

    private void drain() {
        Duration retry = FIRST_RETRY;
        long unflushed = 0;
        while (true) {
            String line;
            boolean buffered = false;
            try {
                line = queue.take();
            } catch (InterruptedException e) {
                return; // close() gave up waiting
            }
            try {
                if (file == null) {
                    file = new RotatingFile(path, maxFileSize, maxFiles);
                }
                if (line.equals(END)) {
                    file.flush();
                    settle(unflushed);
                    return;
                }
                file.write(line);
                unflushed++;
                buffered = true;
                if (queue.isEmpty()) {
                    file.flush();
                    settle(unflushed);
                    unflushed = 0;
                    if (!healthy) {
                        healthy = true;
                        LOG.log(System.Logger.Level.WARNING, "The " + name + " " + path + " is written again; "
                                + dropped.get() + " records were lost in all");
                    }
                    retry = FIRST_RETRY;
                }
            } catch (IOException | RuntimeException e) {
                long lost = unflushed + (buffered || line.equals(END) ? 0 : 1);
                drop(lost);
                settle(lost);
                unflushed = 0;
                markFailing(e.getClass().getSimpleName() + ": " + e.getMessage());
                if (file != null) {
                    file.closeQuietly();
                    file = null;
                }
                if (line.equals(END) || closed) {
                    return;
                }
                try {
                    Thread.sleep(retry);
                } catch (InterruptedException interrupted) {
                    return;
                }
                retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
            }
        }
    }

    private void settle(long lines) {
        settled += lines;
    }

    private synchronized void markFailing(String why) {
        problem = why;
        if (healthy) {
            healthy = false;
            LOG.log(System.Logger.Level.ERROR, "Cannot write the " + name + " " + path + " (" + why + "); records are "
                    + "dropped and counted (mcp_audit_records_dropped_total) until it can be written again");
        }
    }

    /** Writes what is queued (waiting at most {@code wait}), then closes the file. */
    void close(Duration wait) {
        synchronized (this) {
            if (thread == null || closed) {
                return;
            }
            closed = true;
        }
        if (!queue.offer(END)) {
            thread.interrupt(); // full and not draining: nothing more will get out
        }
        try {
            if (!thread.join(wait)) {
                thread.interrupt();
                LOG.log(System.Logger.Level.WARNING, "The " + name + " writer did not finish in " + wait.toSeconds()
                        + " s; " + queue.size() + " records not written");
                thread.join(Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RotatingFile f = file;
        if (f != null && !thread.isAlive()) {
            f.closeQuietly();
        }
    }

    /** Waits until every line offered so far is written or dropped (for tests). */
    void awaitSettled(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (settled < offered.get() && healthy && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
