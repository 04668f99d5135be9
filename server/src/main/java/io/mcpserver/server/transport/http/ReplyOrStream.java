package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.DeadlineTimer;
import io.mcpserver.server.protocol.Admission;
import io.mcpserver.server.protocol.MessageSink;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The sink of a session's POST whose client accepts both {@code application/json} and {@code text/event-stream}:
 * the spec lets the server pick either for each request. A call that answers before it emits anything else gets
 * one JSON body (no stream, no event ids, no replay buffer: what nearly every call is); the POST's
 * {@link SseStream} is opened only when the call emits first (progress, a log, a server→client request), or when
 * it stays silent for longer than the keep-alive interval or {@code sse-close-after} (so that a long call keeps
 * its connection alive and resumable). From then on every message goes to that stream in the order it was sent,
 * the first one included, exactly as if the stream had been opened at the start.
 * <p>
 * The call runs on the request's own thread ({@link #run}); only a call that turns its answer into a stream gets a
 * second thread, which writes the stream to the response while the call goes on. Handing every call to a thread of
 * its own and waiting for its first message cost a third of the throughput of a small call (bench/: "client
 * accepts both" 17.2k vs JSON only 24.8k calls/s at c=256, docs/benchmarks.md).
 */
final class ReplyOrStream implements MessageSink {

    /**
     * Opens the stream of a call silent for too long. One daemon thread for the whole process: a call cancels its
     * timer when it ends (nearly always long before it fires), and a cancelled one leaves the queue at once.
     */
    private static final ScheduledThreadPoolExecutor SILENCE = silenceTimer();

    private final JsonNode id;
    private final Supplier<SseStream> opener;
    private final BiConsumer<SseStream, Boolean> server;
    private final ReentrantLock lock = new ReentrantLock();
    private ObjectNode reply;
    private SseStream stream;
    private Thread pump;
    private Throwable pumpFailure;
    private boolean done;

    /**
     * @param id     the request's id: a message with it and no method is the reply
     * @param opener opens (and registers with the session, for resumption) the POST's stream
     * @param server writes a stream to the response until it ends (on the thread it is called on); true when an
     *               event is queued or about to be (the first message of a call that turned into a stream)
     * @param json   false when the client takes no JSON: then the stream is opened at once
     */
    ReplyOrStream(JsonNode id, Supplier<SseStream> opener, BiConsumer<SseStream, Boolean> server, boolean json) {
        this.id = id;
        this.opener = opener;
        this.server = server;
        if (!json) {
            lock.lock();
            try {
                openStream(false);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Runs the admitted call on this thread with this sink, opening the stream if the call is still silent after
     * {@code wait} (zero: never for silence), and completes once the call ended.
     */
    void run(Admission.Admitted admitted, Duration wait) {
        ScheduledFuture<?> silence = wait.isZero() ? null
                : SILENCE.schedule(this::silentTooLong, wait.toNanos(), TimeUnit.NANOSECONDS);
        try {
            admitted.run(this);
        } finally {
            if (silence != null) {
                silence.cancel(false);
            }
            complete();
        }
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
                    return;
                }
                openStream(true);
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
        } finally {
            lock.unlock();
        }
    }

    /**
     * After the call ended: the reply when it is the whole answer (one JSON body); otherwise null once the stream
     * was written to the response and ended. A call that ended with nothing to say (a cancelled request) gets an
     * empty stream, as a streamed answer would have been.
     */
    ObjectNode finish() {
        SseStream empty = null;
        Thread writer;
        lock.lock();
        try {
            if (stream == null && reply != null) {
                return reply;
            }
            if (stream == null) {
                stream = opener.get();
                stream.complete();
                empty = stream;
            }
            writer = pump;
        } finally {
            lock.unlock();
        }
        if (empty != null) {
            server.accept(empty, false);
            return null;
        }
        awaitPump(writer);
        return null;
    }

    /**
     * Under the lock: opens the stream and starts writing it to the response on a thread of its own;
     * {@code eventFollows} when the caller sends a message to it next.
     */
    private void openStream(boolean eventFollows) {
        SseStream opened = opener.get();
        stream = opened;
        pump = Thread.ofVirtual().start(() -> {
            try {
                server.accept(opened, eventFollows);
            } catch (RuntimeException | Error e) {
                pumpFailure = e; // read after join: the request's thread rethrows it, as if it had written itself
            }
        });
    }

    private void silentTooLong() {
        lock.lock();
        try {
            if (stream == null && reply == null && !done) {
                openStream(false);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The response belongs to the request's thread until its handler returns: wait for the writer. An interrupt
     * (the server stopping) is passed on to it, which ends its pump, and kept.
     */
    private void awaitPump(Thread writer) {
        boolean interrupted = false;
        while (true) {
            try {
                writer.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                writer.interrupt();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (pumpFailure instanceof RuntimeException e) {
            throw e;
        }
        if (pumpFailure instanceof Error e) {
            throw e;
        }
    }

    private static ScheduledThreadPoolExecutor silenceTimer() {
        return DeadlineTimer.create("mcp-http-silence");
    }
}
