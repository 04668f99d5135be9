package io.mcpserver.server.transport.http;

import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.SessionStreams;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The copy in the cluster's log of one POST's stream run on this node, for a client that resumes it on another node.
 * It is made only once that can happen: the client's connection to this node ended before the stream did
 * ({@link #start}), or another node was asked to resume it and asked this one for it (a handshake through Redis:
 * {@link SessionStreams#askToCopy}). Until then the stream costs Redis nothing: copying every event of every
 * streamed call as it was queued cost a node with {@code cluster.enabled} nine tenths of its throughput for calls
 * that report progress (docs/benchmarks.md, "The cost of cluster.enabled").
 *
 * <p>Once started, whatever the stream keeps and the log does not yet have goes out in one script call, and at most
 * one call is in flight per stream: events queued meanwhile leave together in the next one. The copy holds nothing of
 * its own (it reads the stream's replay buffer), so a slow Redis costs no memory beyond that bounded buffer; events
 * that fall out of the buffer before they could be copied are missing from the log as they would be from a replay.
 * A call that fails (Redis unreachable) is tried again with the next event or the next question of another node.
 *
 * <p>When this node lets the stream go (its client read it to its end here, or it was dropped as one of too many
 * finished streams) while the copy still owes the log events another node's client reads, the copy {@link #retire
 * retires}: it goes on until the log holds the stream's last event, then lets the stream go. Until then it still
 * answers questions, so a node that asks is never told the stream is gone while part of it is still on its way.
 */
final class PostStreamCopy implements SseStream.Mirror {

    private static final System.Logger LOG = System.getLogger(PostStreamCopy.class.getName());
    /** Answers from Redis arrive on Lettuce's event loop: the next call is prepared on a thread of our own. */
    private static final Executor NEXT = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mcp-copy").factory());

    private final SessionStreams log;
    private final String sessionId;
    private final SseStream stream;
    /** Guarded by {@code this}. */
    private boolean started;
    /** Another node asked for the copy: a client reads the stream there, and that node forgets it at its end. */
    private boolean followedElsewhere;
    private boolean sending;
    private boolean closed;
    /** This node let the stream go: close once the log holds its last event, then tell {@link #finished}. */
    private Runnable finished;
    /** The last event the log acknowledged. */
    private long copied;
    /** Who waits until the log holds every event up to a number. */
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(long upTo, CompletableFuture<Void> done) {
    }

    PostStreamCopy(SessionStreams log, String sessionId, SseStream stream) {
        this.log = log;
        this.sessionId = sessionId;
        this.stream = stream;
        stream.mirror(this);
    }

    /**
     * Copies from now on: what the stream keeps now, then each event it queues. The stage completes once the log
     * holds every event queued before this call; it fails when the log could not be reached.
     *
     * @param forAnotherNode another node asked: its client follows the stream there
     */
    CompletionStage<Void> start(boolean forAnotherNode) {
        long upTo = stream.lastSeq();
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("the stream is no longer kept"));
                return done;
            }
            started = true;
            followedElsewhere |= forAnotherNode;
            if (copied >= upTo) {
                done.complete(null);
                return done;
            }
            waiters.add(new Waiter(upTo, done));
        }
        sendIfIdle();
        return done;
    }

    /**
     * Completes once the log holds every event the stream has queued so far: at once when the copy was never started,
     * ended, or owes nothing; exceptionally when a write to the log fails or the copy is closed first.
     */
    CompletionStage<Void> flushed() {
        long upTo = stream.lastSeq();
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (!started || closed || copied >= upTo) {
                done.complete(null);
                return done;
            }
            waiters.add(new Waiter(upTo, done));
        }
        sendIfIdle(); // a write that failed is tried again now
        return done;
    }

    /**
     * Whether this node forgets the copy when its own connection read the stream to its end: it started it (the
     * connection had dropped, and the client came back here), and no other node follows it. A node that follows it
     * forgets it when its own client read it all: this node's connection may have been dead without its knowing,
     * its writes landing in a socket buffer, and the rest is still being copied for the follower.
     */
    synchronized boolean forgottenHere() {
        return started && !followedElsewhere;
    }

    /**
     * This node lets the stream go. A copy that owes the log some of it (it was started and has not stored the last
     * event yet) goes on, if {@code room} grants it, until it has, then closes the stream and runs {@code whenDone};
     * true then, and also when it retired already (it is told once). False when nothing is owed or there is no room:
     * the caller closes the copy now.
     */
    boolean retire(java.util.function.BooleanSupplier room, Runnable whenDone) {
        synchronized (this) {
            if (finished != null) {
                return true;
            }
            if (!owesTheLog() || !room.getAsBoolean()) {
                return false;
            }
            finished = whenDone;
        }
        sendIfIdle(); // a write that failed is tried again now
        return true;
    }

    /** Whether the copy was started and the log does not hold the stream's last event yet. */
    synchronized boolean owesTheLog() {
        return started && !closed && copied < stream.lastSeq();
    }

    /** Whether the copy ended: nothing more will be copied, and this node no longer has the stream. */
    synchronized boolean isClosed() {
        return closed;
    }

    /** Nothing more is copied (the stream was forgotten here, or the session ended). */
    void close() {
        List<Waiter> dropped;
        synchronized (this) {
            closed = true;
            finished = null;
            dropped = new ArrayList<>(waiters);
            waiters.clear();
        }
        dropped.forEach(w -> w.done().completeExceptionally(new IllegalStateException("the stream is no longer kept")));
    }

    @Override
    public void queued() {
        sendIfIdle();
    }

    private void sendIfIdle() {
        List<SessionStreams.Event> batch;
        Runnable done = null;
        synchronized (this) {
            if (!started || closed || sending) {
                return;
            }
            batch = stream.keptAfter(copied);
            if (batch.isEmpty() && finished != null) {
                // a retired copy: the log holds all there is, the stream goes and this node stops answering for it
                done = finished;
                finished = null;
                closed = true;
            }
            if (!batch.isEmpty()) {
                sending = true;
            }
        }
        if (batch.isEmpty()) {
            if (done != null) {
                stream.close();
                done.run();
            }
            return;
        }
        long upTo = batch.getLast().seq();
        CompletionStage<Void> sent;
        try {
            sent = log.copy(sessionId, stream.key(), batch);
        } catch (McpException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenCompleteAsync((ok, failure) -> sent(upTo, failure), NEXT);
    }

    private void sent(long upTo, Throwable failure) {
        List<CompletableFuture<Void>> reached = new ArrayList<>();
        List<CompletableFuture<Void>> failed = new ArrayList<>();
        synchronized (this) {
            sending = false;
            if (failure == null) {
                copied = Math.max(copied, upTo);
            }
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.upTo() <= copied) {
                    reached.add(w.done());
                    it.remove();
                } else if (failure != null) {
                    failed.add(w.done());
                    it.remove();
                }
            }
        }
        if (failure != null) {
            // tried again with the next event, or when another node asks again
            LOG.log(System.Logger.Level.DEBUG, "SSE stream " + stream.key() + " not copied to the cluster: " + failure);
            failed.forEach(f -> f.completeExceptionally(failure));
        } else {
            reached.forEach(f -> f.complete(null));
            sendIfIdle(); // what was queued meanwhile; a retired copy ends once nothing is left
        }
    }
}
