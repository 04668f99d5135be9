package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.protocol.MessageSink;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The sink of a session's POST whose client accepts both {@code application/json} and {@code text/event-stream}:
 * the spec lets the server pick either for each request. A call that answers before it emits anything else gets
 * one JSON body (no stream, no event ids, no replay buffer: what nearly every call is); the POST's
 * {@link SseStream} is opened only when the call emits first (progress, a log, a server→client request), or when
 * it stays silent for longer than the keep-alive interval or {@code sse-close-after} (so that a long call keeps
 * its connection alive and resumable, as before). From then on every message goes to that stream in the order it was sent, the first one
 * included, exactly as if the stream had been opened at the start.
 */
final class ReplyOrStream implements MessageSink {

    private final JsonNode id;
    private final Supplier<SseStream> opener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition decided = lock.newCondition();
    private ObjectNode reply;
    private SseStream stream;
    private boolean done;

    /**
     * @param id     the request's id: a message with it and no method is the reply
     * @param opener opens (and registers with the session, for resumption) the POST's stream
     * @param json   false when the client takes no JSON: then the stream is opened at once
     */
    ReplyOrStream(JsonNode id, Supplier<SseStream> opener, boolean json) {
        this.id = id;
        this.opener = opener;
        this.stream = json ? null : opener.get();
    }

    @Override
    public void send(ObjectNode message) {
        lock.lock();
        try {
            if (stream == null) {
                if (reply != null || done) {
                    return; // after the reply, as on a completed stream: nothing more for this request
                }
                if (!message.has("method") && id.equals(message.get("id"))) {
                    reply = message;
                    decided.signalAll();
                    return;
                }
                stream = opener.get();
                decided.signalAll();
            }
            stream.send(message); // under this lock, so that messages from several threads keep their order
        } finally {
            lock.unlock();
        }
    }

    /** The call ended (its reply, if any, was sent): a stream, if one was opened, completes. */
    void complete() {
        lock.lock();
        try {
            done = true;
            if (stream != null) {
                stream.complete();
            }
            decided.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the call answered, emitted something else, or ended, for at most {@code wait} (zero: no limit).
     * Returns the stream to serve when the answer has to be one, opened now if the call was silent all along or
     * ended without a reply (a cancelled request: an empty stream, as before); null when {@link #reply} is the
     * whole answer.
     */
    SseStream awaitDecision(Duration wait) {
        long left = wait.isZero() ? Long.MAX_VALUE : wait.toNanos();
        lock.lock();
        try {
            while (stream == null && reply == null && !done && left > 0) {
                try {
                    left = decided.awaitNanos(left);
                } catch (InterruptedException e) { // shutting down: answer with a stream, which ends with the session
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (stream == null && reply == null) { // silent for too long, or ended with nothing to say
                stream = opener.get();
                if (done) {
                    stream.complete();
                }
            }
            return stream;
        } finally {
            lock.unlock();
        }
    }

    /** The reply when {@link #awaitDecision} returned null. */
    ObjectNode reply() {
        lock.lock();
        try {
            return reply;
        } finally {
            lock.unlock();
        }
    }
}
