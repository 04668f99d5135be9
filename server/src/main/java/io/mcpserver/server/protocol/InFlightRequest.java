package io.mcpserver.server.protocol;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A request being served: the thread serving it and its cancellation state. */
public final class InFlightRequest {

    private final String key;
    private final Thread thread;
    private final AtomicReference<String> cancelReason = new AtomicReference<>();
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();

    InFlightRequest(String key, Thread thread) {
        this.key = key;
        this.thread = thread;
    }

    public String key() {
        return key;
    }

    public boolean isCancelled() {
        return cancelReason.get() != null;
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

    public void onCancel(Runnable action) {
        onCancel.add(action);
        if (isCancelled()) {
            action.run();
        }
    }
}
