package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.protocol.MessageSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Holds a streamed request's first messages for a moment, so that a refusal by the rules or the rate limits
 * (which comes before the request runs) can still be answered with its HTTP status (403 with an
 * {@code insufficient_scope} challenge, 429 with {@code Retry-After}) instead of as an event on a 200 stream that
 * is already open. Anything else is passed on to the stream, in order, as soon as it is known not to be one.
 */
final class RefusalGate implements MessageSink {

    private final MessageSink stream;
    private final Runnable complete;
    private final JsonNode id;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<ObjectNode> held = new ArrayList<>();
    private boolean decided;
    private boolean ended;

    /** @param complete completes the stream: run once everything held was passed on (a completed stream drops sends) */
    RefusalGate(MessageSink stream, Runnable complete, JsonNode id) {
        this.stream = stream;
        this.complete = complete;
        this.id = id;
    }

    @Override
    public void send(ObjectNode message) {
        lock.lock();
        try {
            if (!decided) {
                held.add(message);
                arrived.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        stream.send(message);
    }

    /** The request's thread is done: nothing more will come; the stream completes once the gate has decided. */
    void end() {
        boolean passedOn;
        lock.lock();
        try {
            ended = true;
            passedOn = decided;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (passedOn) {
            complete.run();
        }
    }

    /**
     * Waits up to {@code wait} for the first message. When it is the request's own response and a refusal, returns
     * it (the caller answers with a status; the stream gets nothing); else passes what is held on and returns null.
     */
    ObjectNode refusal(Duration wait, Predicate<ObjectNode> isRefusal) throws InterruptedException {
        lock.lock();
        try {
            long left = wait.toNanos();
            while (held.isEmpty() && !ended && left > 0) {
                left = arrived.awaitNanos(left);
            }
            decided = true;
            if (!held.isEmpty() && id.equals(held.getFirst().get("id")) && isRefusal.test(held.getFirst())) {
                return held.getFirst();
            }
            held.forEach(stream::send); // under the lock, so that a message sent meanwhile cannot overtake them
            held.clear();
            if (ended) {
                complete.run();
            }
            return null;
        } finally {
            lock.unlock();
        }
    }
}
