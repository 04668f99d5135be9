package io.mcpserver.server.protocol;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A request being served: the thread serving it and its cancellation state. */
public final class InFlightRequest {

    /** The cancellation reason of a request stopped by its time limit. */
    public static final String TIMEOUT = "timeout";
    /** Cancelled because the server's shutdown grace ran out: the client is still owed an answer (an error). */
    public static final String SHUTDOWN = "server stopping";

    private final String key;
    private final Thread thread;
    private final AtomicReference<String> cancelReason = new AtomicReference<>();
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private volatile boolean longLived;

    InFlightRequest(String key, Thread thread) {
        this.key = key;
        this.thread = thread;
    }

    /** A request served by the calling thread outside any session: a task running on after its request. */
    public static InFlightRequest ofCurrentThread(String key) {
        return new InFlightRequest(key, Thread.currentThread());
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
        thread.interrupt();
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
