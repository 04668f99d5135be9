package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the dispatcher's one entry, {@link Dispatcher#submit}, decided about a message before anything ran. A
 * transport learns it synchronously, so it can choose an HTTP status or open a stream knowing the outcome:
 * <ul>
 *   <li>{@link Handled}: a notification or a response, acted on already; nothing to answer.</li>
 *   <li>{@link Refused}: the JSON-RPC error to answer (already audited): bad input, a rate limit, the in-flight
 *       limit, an access rule, a method this session cannot call. The transport sends it in its own terms.</li>
 *   <li>{@link Admitted}: a request that passed every check. It counts as running from now on (graceful shutdown
 *       waits for it, a {@code notifications/cancelled} finds it); the transport runs it exactly once, with the
 *       sink its progress, logs, server→client requests and response go to.</li>
 * </ul>
 */
public sealed interface Admission permits Admission.Handled, Admission.Refused, Admission.Admitted {

    Handled HANDLED = new Handled();

    /** A notification or response: handled at once, in order. */
    record Handled() implements Admission {
    }

    /** A request (or an invalid message) refused before it ran: {@code error} is the whole JSON-RPC reply. */
    record Refused(ObjectNode error) implements Admission {
    }

    /** A request that may run; {@link #run} or {@link #start} it once. */
    final class Admitted implements Admission {

        private final Consumer<MessageSink> runner;
        /** Built only for a thread of its own: most requests run on their transport's thread. */
        private final Supplier<String> threadName;
        private final AtomicBoolean ran = new AtomicBoolean();

        Admitted(Consumer<MessageSink> runner, Supplier<String> threadName) {
            this.runner = runner;
            this.threadName = threadName;
        }

        /** Runs the request on this thread; returns once its response was sent to {@code sink} (or it was cancelled). */
        public void run(MessageSink sink) {
            if (!ran.compareAndSet(false, true)) {
                throw new IllegalStateException(threadName.get() + " was already run");
            }
            runner.accept(sink);
        }

        /** Runs the request on a virtual thread of its own, then {@code then} on that thread. */
        public void start(MessageSink sink, Runnable then) {
            Thread.ofVirtual().name(threadName.get()).start(() -> {
                try {
                    run(sink);
                } finally {
                    then.run();
                }
            });
        }
    }
}
