package io.mcpserver.server.protocol;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/** A request admitted to run: the thread serving it (once it runs) and its cancellation state. */
public final class InFlightRequest {

    /** The cancellation reason of a request stopped by its time limit. */
    public static final String TIMEOUT = "timeout";
    /** Cancelled because the server's shutdown grace ran out: the client is still owed an answer (an error). */
    public static final String SHUTDOWN = "server stopping";

    private final String key;
    /** Guards {@link #thread}: no interrupt reaches a thread after {@link #finished}, even from a late cancel. */
    private final ReentrantLock threadLock = new ReentrantLock();
    private Thread thread;
    private final AtomicReference<String> cancelReason = new AtomicReference<>();
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private volatile boolean longLived;
    /** The principal this request counts against in {@link PrincipalInFlight}, or null when not counted. */
    volatile Object countedFor;

    InFlightRequest(String key) {
        this.key = key;
    }

    /** The request starts running on {@code thread}: a cancellation from now on interrupts it. */
    void runOn(Thread thread) {
        threadLock.lock();
        try {
            this.thread = thread;
        } finally {
            threadLock.unlock();
        }
    }

    /**
     * The request stopped running: a cancellation from now on interrupts nothing. The thread that ran it may be a
     * transport's own (an HTTP request's), which goes on writing the answer: a late cancel of a request that just
     * finished must not leave it an interrupt, which would close its connection.
     */
    void finished() {
        threadLock.lock();
        try {
            thread = null;
        } finally {
            threadLock.unlock();
        }
    }

    /** A request served by the calling thread outside any session: a task running on after its request. */
    public static InFlightRequest ofCurrentThread(String key) {
        InFlightRequest request = new InFlightRequest(key);
        request.runOn(Thread.currentThread());
        return request;
    }

    public String key() {
        return key;
    }

    public boolean isCancelled() {
        return cancelReason.get() != null;
    }

    /**
     * True when the client is owed no answer: cancelled for any reason but its own time limit
     * ({@link #TIMEOUT}), which is answered (a tool's {@code isError} result saying it timed out).
     */
    public boolean isAbandoned() {
        String reason = cancelReason.get();
        return reason != null && !reason.equals(TIMEOUT) && !reason.equals(SHUTDOWN);
    }

    public String cancelReason() {
        return cancelReason.get();
    }

    /** Flags the request, runs its cancel callbacks and interrupts its thread; only the first call counts. */
    public void cancel(String reason) {
        if (!cancelReason.compareAndSet(null, reason == null ? "cancelled" : reason)) {
            return;
        }
        for (Runnable action : onCancel) {
            try {
                action.run();
            } catch (RuntimeException e) {
                System.getLogger(InFlightRequest.class.getName())
                        .log(System.Logger.Level.WARNING, "cancel callback failed: " + e);
            }
        }
        threadLock.lock();
        try {
            if (thread != null) { // not running yet: it sees the flag when it starts; finished: nothing to stop
                thread.interrupt();
            }
        } finally {
            threadLock.unlock();
        }
    }

    /** Marks a request that runs until cancelled ({@code subscriptions/listen}): waiting for idle ignores it. */
    public void markLongLived() {
        longLived = true;
    }

    public boolean isLongLived() {
        return longLived;
    }

    public void onCancel(Runnable action) {
        onCancel.add(action);
        if (isCancelled()) {
            action.run();
        }
    }
}
