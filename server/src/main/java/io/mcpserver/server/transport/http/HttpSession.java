package io.mcpserver.server.transport.http;

import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.SessionStreams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the HTTP transport keeps for one protocol session: its streams (the standalone GET stream, or
 * the legacy {@code /sse} stream, and the streams of POSTs that may still be resumed) and how recently
 * the client was seen.
 */
final class HttpSession {

    private static final System.Logger LOG = System.getLogger(HttpSession.class.getName());

    /** Completed POST streams whose end the client has not read, kept for resumption; older ones are dropped. */
    private static final int RETAINED_STREAMS = 16;

    private final Session session;
    private final boolean legacy;
    private final int replayBufferSize;
    private final SseStream standalone;
    /** A cluster's shared session: its stream lives in the cluster's log; null on one node. */
    private final SharedStream shared;
    /** Where a shared session's streams are kept (null on one node). */
    private final SessionStreams log;
    /** POST streams another node runs, resumed on this one (a cluster's shared session). */
    private final Map<String, RemotePostStream> remote = new java.util.concurrent.ConcurrentHashMap<>();
    /** The copies in the cluster's log of this node's POST streams (a cluster's shared session), by stream key. */
    private final Map<String, PostStreamCopy> copies = new java.util.concurrent.ConcurrentHashMap<>();
    /** Copies of streams this node let go that still owe the log events another node's client reads. */
    private final AtomicInteger retiring = new AtomicInteger();
    private final Map<String, SseStream> postStreams = new LinkedHashMap<>();
    private final AtomicLong nextStream = new AtomicLong(1);
    private final AtomicInteger openConnections = new AtomicInteger();
    private volatile long lastUseNanos = System.nanoTime();
    private volatile boolean closed;

    /** @param log where a shared session's stream is kept for every node (null: in this process only) */
    HttpSession(Session session, boolean legacy, int replayBufferSize, SessionStreams log) {
        this.session = session;
        this.legacy = legacy;
        this.replayBufferSize = replayBufferSize;
        this.standalone = new SseStream("g", session.toString(), replayBufferSize, !legacy);
        this.log = log != null && session.isShared() ? log : null;
        this.shared = this.log != null ? new SharedStream(log, session.id(), standalone, legacy) : null;
        session.standalone(outbound());
    }

    /** Where messages for the client's own stream go: the cluster's log for a shared session, else the stream. */
    MessageSink outbound() {
        return shared != null ? shared : standalone;
    }

    /** Whether what is sent to the client's own stream reaches it now (in a cluster: Redis, or the connection, is here). */
    boolean reachable() {
        return shared == null || shared.reachable();
    }

    /** A connection of this node starts writing {@code stream} after {@code after}. */
    void streaming(SseStream stream, long after) {
        if (shared != null && stream == standalone) {
            shared.attach(after);
        }
        RemotePostStream followed = log == null ? null : remote.get(stream.key());
        if (followed != null && followed.local() == stream) {
            followed.attach(after);
        }
    }

    /**
     * The connection writing {@code stream} ended, for {@code why}. A POST's stream that is not over yet is copied to
     * the cluster's log from now on: its client may resume it on another node.
     */
    void streamed(SseStream stream, SseStream.End why) {
        if (shared != null && stream == standalone) {
            shared.detach();
        }
        PostStreamCopy copy = copies.isEmpty() ? null : copies.get(stream.key());
        if (copy != null && why != SseStream.End.REPLACED && !stream.isDrained()) {
            copy.start(false);
        }
        RemotePostStream followed = log == null ? null : remote.get(stream.key());
        if (followed != null && followed.local() == stream) {
            followed.detach();
        }
    }

    /** A node appended to one of the session's shared streams: read it if a connection here writes it. */
    void appended(String stream) {
        if (shared != null && SessionStreams.OWN.equals(stream)) {
            shared.appended();
        } else if (log != null) {
            RemotePostStream followed = remote.get(stream);
            if (followed != null) {
                followed.appended();
            }
        }
    }

    Session session() {
        return session;
    }

    String id() {
        return session.id();
    }

    /** A legacy HTTP+SSE session: every message travels on its one {@code /sse} stream. */
    boolean isLegacy() {
        return legacy;
    }

    /** The GET stream (Streamable HTTP), or the {@code /sse} stream (legacy). */
    SseStream standalone() {
        return standalone;
    }

    /** A new stream for one POSTed request, resumable until it is drained. */
    SseStream openPostStream() {
        return openPostStream(null);
    }

    /**
     * A new stream for the POSTed request {@code requestId}, resumable until it is drained; in a cluster also on
     * the other nodes (its events are kept in Redis too, and its key names this node and the request).
     */
    SseStream openPostStream(com.fasterxml.jackson.databind.JsonNode requestId) {
        long n = nextStream.getAndIncrement();
        boolean mirrored = log != null && requestId != null && (requestId.isTextual() || requestId.isNumber());
        SseStream stream = new SseStream(mirrored ? RemotePostStream.key(n, log.nodeId(), requestId) : "p" + n,
                session.toString(), replayBufferSize, true);
        if (mirrored) {
            copies.put(stream.key(), new PostStreamCopy(log, session.id(), stream)); // idle until started
        }
        synchronized (postStreams) {
            postStreams.put(stream.key(), stream);
            dropOldCompletedStreams();
        }
        return stream;
    }

    /** The stream an event id belongs to: the GET stream or a POST stream still kept. */
    SseStream streamOf(String eventId) {
        String key = SseStream.streamKeyOf(eventId);
        if (key == null) {
            return null;
        }
        if (key.equals(standalone.key())) {
            return standalone;
        }
        synchronized (postStreams) {
            return postStreams.get(key);
        }
    }

    /** Where a {@code GET} continues: a stream and the sequence number after which its events are written. */
    record Resumption(SseStream stream, long after) {
    }

    /**
     * Where a {@code GET} with this {@code Last-Event-ID} (null: none) continues: the standalone stream (no id,
     * or one of its own), or the POST stream the id names while it has more to say. Empty when the id names a
     * POST stream that is finished (everything up to the id was read, or the stream is no longer kept) or no
     * stream at all: that resumption has nothing to deliver, and it must never take over the standalone stream,
     * which belongs to the client's own GET (the TypeScript SDK resumes every POST stream that ended without a
     * successful result, so handing it the standalone stream made two GETs take it from each other for ever).
     */
    Optional<Resumption> resume(String lastEventId) {
        if (lastEventId == null) {
            return Optional.of(new Resumption(standalone, shared != null ? shared.readMark() : standalone.deliveredSeq()));
        }
        SseStream named = streamOf(lastEventId);
        if (named == null && log != null) {
            named = followRemote(SseStream.streamKeyOf(lastEventId), lastEventId);
        }
        long seq = named == null ? -1 : named.seqOf(lastEventId);
        if (named == standalone) {
            return Optional.of(new Resumption(standalone, seq >= 0 ? seq : standalone.deliveredSeq()));
        }
        if (named == null || seq < 0 || named.hasNothingAfter(seq)) {
            if (named != null) {
                releaseIfDrained(named);
            }
            return Optional.empty();
        }
        return Optional.of(new Resumption(named, seq));
    }

    /** A POST stream another node runs, followed here from the cluster's log; null when the key names none. */
    private SseStream followRemote(String key, String lastEventId) {
        if (key == null) {
            return null;
        }
        RemotePostStream followed = remote.get(key);
        if (followed == null) {
            followed = RemotePostStream.of(key, log, session.id(), log.nodeId(), session.toString(), replayBufferSize);
            if (followed == null || !followed.mayHaveMoreAfter(followed.local().seqOf(lastEventId))) {
                return null; // read to its end and forgotten (or expired): nothing to resume
            }
            RemotePostStream raced = remote.putIfAbsent(key, followed);
            followed = raced != null ? raced : followed;
        }
        synchronized (postStreams) {
            postStreams.putIfAbsent(key, followed.local());
            dropOldCompletedStreams();
        }
        return followed.local();
    }

    /**
     * Another node was asked to resume one of this node's POST streams: copies it to the cluster's log from now on.
     * The stage completes once the log holds what this node keeps of it; {@code NOT_HELD} at once when this node no
     * longer keeps the stream (read to its end, or dropped).
     */
    CompletionStage<SessionStreams.CopyAnswer> copyAsked(String key) {
        PostStreamCopy copy = copies.get(key);
        if (copy == null) {
            return CompletableFuture.completedFuture(SessionStreams.CopyAnswer.NOT_HELD);
        }
        return copy.start(true).handle((copied, failure) -> {
            if (failure == null) {
                return SessionStreams.CopyAnswer.COPIED;
            }
            if (copy.isClosed()) {
                return SessionStreams.CopyAnswer.NOT_HELD; // let go meanwhile
            }
            throw new java.util.concurrent.CompletionException(failure); // not stored: the asking node asks again
        });
    }

    /** Forgets a POST stream once nothing in it is left for the client to read. */
    void releaseIfDrained(SseStream stream) {
        if (stream != standalone && stream.isDrained()) {
            boolean removed;
            synchronized (postStreams) {
                removed = postStreams.remove(stream.key(), stream);
            }
            boolean followed = remote.remove(stream.key()) != null;
            PostStreamCopy copy = copies.get(stream.key());
            boolean ours = copy != null && copy.forgottenHere();
            if (ours) {
                copies.remove(stream.key(), copy);
                copy.close();
            } else if (copy != null) {
                letGo(stream, copy); // another node's client may still read what is being copied
            }
            if (removed && (followed || ours)) {
                log.forget(session.id(), stream.key()); // the client read all of it: Redis forgets it too
            }
        }
    }

    private void dropOldCompletedStreams() {
        int completed = 0;
        for (SseStream s : postStreams.values()) {
            if (s.isCompleted()) {
                completed++;
            }
        }
        Iterator<SseStream> it = postStreams.values().iterator();
        while (completed > RETAINED_STREAMS && it.hasNext()) {
            SseStream s = it.next();
            // one a connection is still writing (a slow client) stays: closing it would cut its response off
            if (s.isCompleted() && !s.isBeingWritten()) {
                it.remove();
                remote.remove(s.key());
                PostStreamCopy copy = copies.get(s.key());
                if (copy == null || !letGo(s, copy)) {
                    s.close();
                }
                completed--;
            }
        }
    }

    /**
     * This node no longer keeps a stream that has a copy. A copy that still owes the log events another node's client
     * reads goes on until the log holds the stream's last event (then closes the stream): true. Otherwise the copy
     * ends now: false. At most {@link #RETAINED_STREAMS} copies per session go on like this (they wait only while
     * Redis is slow or unreachable); beyond that a copy ends unfinished, and a resume elsewhere gets an error.
     */
    private boolean letGo(SseStream stream, PostStreamCopy copy) {
        if (copy.retire(this::roomToRetire, () -> {
            copies.remove(stream.key(), copy);
            retiring.decrementAndGet();
        })) {
            return true;
        }
        copies.remove(stream.key(), copy);
        if (copy.owesTheLog()) { // there was no room
            LOG.log(System.Logger.Level.WARNING, session + ": SSE stream " + stream.key() + " let go before its copy"
                    + " to the cluster was complete (" + RETAINED_STREAMS + " copies of this session wait for Redis)");
        }
        copy.close();
        return false;
    }

    /** Counts one more retiring copy if fewer than {@link #RETAINED_STREAMS} are. */
    private boolean roomToRetire() {
        if (retiring.incrementAndGet() <= RETAINED_STREAMS) {
            return true;
        }
        retiring.decrementAndGet();
        return false;
    }

    void touch() {
        lastUseNanos = System.nanoTime();
    }

    /** Counts an HTTP response held open for this session (a stream); a session with one is never idle. */
    void connectionOpened() {
        openConnections.incrementAndGet();
        touch();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
        touch();
    }

    /** HTTP responses held open for this session now (its streams). */
    int openConnections() {
        return openConnections.get();
    }

    /** True when nothing happened for {@code timeout}: no request, no open stream, nothing running. */
    boolean isIdle(Duration timeout, long now) {
        if (openConnections.get() > 0 || session.inFlightCount() > 0) {
            return false;
        }
        long last = Math.max(lastUseNanos, session.lastActivityNanos());
        return now - last > timeout.toNanos();
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Shutdown: no more messages; each stream's connection ends once it has written what is queued (the
     * response of a request that just finished), with the stream's proper end rather than a cut.
     */
    void completeStreams() {
        List<SseStream> streams;
        synchronized (postStreams) {
            streams = new ArrayList<>(postStreams.values());
        }
        streams.forEach(SseStream::complete);
        standalone.complete();
    }

    /**
     * Completes once the cluster's log holds what this node's copies of its streams owe it (another node's client
     * reads them there), or one of those writes failed: a stopping node waits for this before it lets them go.
     */
    CompletableFuture<Void> copiesFlushed() {
        if (copies.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(copies.values().stream()
                .map(c -> c.flushed().toCompletableFuture()).toArray(CompletableFuture[]::new));
    }

    /** Ends every stream; the protocol session is closed by the caller (it cancels in-flight requests). */
    void closeStreams() {
        closed = true;
        List<SseStream> streams;
        synchronized (postStreams) {
            streams = new ArrayList<>(postStreams.values());
            postStreams.clear();
        }
        streams.forEach(SseStream::close);
        copies.values().forEach(PostStreamCopy::close);
        copies.clear();
        standalone.close();
    }

    @Override
    public String toString() {
        return session.toString();
    }
}
