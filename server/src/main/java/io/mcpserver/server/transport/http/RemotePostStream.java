package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.SessionStreams;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A POST's stream that another node of the cluster runs, resumed here ({@code Last-Event-ID} landed on this node):
 * its events are read from the cluster's log into a local {@link SseStream} until the request's response comes. If
 * the node running the request stops (killed) before answering, the client gets a JSON-RPC error for the request
 * instead of waiting for ever.
 *
 * <p>The stream's key names the node and the request ({@code p<n>.<node>.<request id>}, both base64url), so that any
 * node can tell whose it is without asking Redis.
 */
final class RemotePostStream {

    private static final System.Logger LOG = System.getLogger(RemotePostStream.class.getName());
    private static final int BATCH = 256;
    /** How often a follower checks that the node running the request is still alive. */
    private static final long LIVENESS_MILLIS = 2000;
    /**
     * How long a resumption waits for the node running the request to copy its stream to the log (a round trip
     * through Redis's pub/sub and one script call: milliseconds, unless that node is dead or overloaded).
     */
    private static final java.time.Duration ASK_WAIT = java.time.Duration.ofSeconds(1);

    private final SessionStreams log;
    private final String sessionId;
    private final String node;
    private final JsonNode requestId;
    private final SseStream local;
    private final AtomicInteger attached = new AtomicInteger();
    private final Semaphore wake = new Semaphore(0);
    /** Guarded by {@code this}. */
    private long fetched;
    /** What the node running the request answered when asked for a copy; null: no answer yet. Guarded by {@code this}. */
    private SessionStreams.CopyAnswer answered;
    private Thread follower;

    private RemotePostStream(SessionStreams log, String sessionId, String node, JsonNode requestId, SseStream local) {
        this.log = log;
        this.sessionId = sessionId;
        this.node = node;
        this.requestId = requestId;
        this.local = local;
    }

    /** The key of a POST stream of a shared session run on {@code node} for the request {@code id}. */
    static String key(long n, String node, JsonNode id) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return "p" + n + "." + b64.encodeToString(node.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(Json.write(id).getBytes(StandardCharsets.UTF_8));
    }

    /** The node that runs the POST stream {@code key} names, or null when the key is no such stream's. */
    static String nodeOf(String key) {
        String[] parts = key.split("\\.", -1);
        if (parts.length != 3 || !parts[0].matches("p\\d+")) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The stream another node runs that {@code key} names, or null when the key is no such stream's. */
    static RemotePostStream of(String key, SessionStreams log, String sessionId, String thisNode, String owner,
                               int capacity) {
        String[] parts = key.split("\\.", -1);
        if (parts.length != 3 || !parts[0].matches("p\\d+")) {
            return null;
        }
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            String node = new String(b64.decode(parts[1]), StandardCharsets.UTF_8);
            JsonNode id = Json.parse(new String(b64.decode(parts[2]), StandardCharsets.UTF_8));
            if (node.equals(thisNode) || !(id.isTextual() || id.isNumber())) {
                return null; // one of ours that is no longer kept, or not an id
            }
            return new RemotePostStream(log, sessionId, node, id, new SseStream(key, owner, capacity, true));
        } catch (Exception e) {
            return null;
        }
    }

    SseStream local() {
        return local;
    }

    /**
     * Whether a client that read the stream up to {@code seq} may get more. The node running the request copies the
     * stream to the log only once someone may resume it elsewhere, so it is asked first (through the log) and its
     * answer waited for: everything it still keeps of the stream is in the log before it says so, and each later
     * event follows. False when the stream is over for this client: event {@code seq} was the response, or (that node
     * still has the stream) the log holds nothing from {@code seq} on because a client read it to its end. When that
     * node no longer has the stream and the log holds no response after {@code seq}, the response is lost (that node
     * stopped, or wrote it into a connection the client no longer read): true, and the follower gives what the log
     * holds, then an error for the request, rather than leave the client waiting. True without an answer: that node
     * is dead (the follower then ends the stream with an error) or slow (the follower asks again).
     */
    boolean mayHaveMoreAfter(long seq) {
        SessionStreams.CopyAnswer answer;
        try {
            answer = log.askToCopy(sessionId, local.key(), ASK_WAIT);
        } catch (McpException e) {
            return true; // cannot tell: follow it, and the follower retries
        }
        if (answer == SessionStreams.CopyAnswer.NO_ANSWER) {
            return true;
        }
        try {
            synchronized (this) {
                answered = answer;
            }
            if (answer == SessionStreams.CopyAnswer.NOT_HELD) {
                return !respondedAt(seq); // else the follower ends it with what the log holds, then an error
            }
            if (seq <= 0) {
                return true; // only the priming event was read: the call may not have said anything yet
            }
            // the log holds what that node keeps, its latest events included: nothing from seq on means a client
            // read the stream to its end on some node, which made the log forget it
            List<SessionStreams.Event> at = log.after(sessionId, local.key(), seq - 1, 1);
            return !at.isEmpty() && (at.getFirst().seq() != seq || !isResponse(at.getFirst().data()));
        } catch (McpException e) {
            return true; // cannot tell: follow it, and the follower retries
        }
    }

    /** Whether the log holds event {@code seq} and it is the request's response. */
    private boolean respondedAt(long seq) {
        if (seq <= 0) {
            return false;
        }
        List<SessionStreams.Event> at = log.after(sessionId, local.key(), seq - 1, 1);
        return !at.isEmpty() && at.getFirst().seq() == seq && isResponse(at.getFirst().data());
    }

    /** A connection here writes the stream after {@code after}: follow the log until the response comes. */
    synchronized void attach(long after) {
        attached.incrementAndGet();
        fetched = Math.max(fetched, after);
        if (follower == null || !follower.isAlive()) {
            follower = Thread.ofVirtual().name("mcp-follow-" + local.key()).start(this::follow);
        }
        wake.release();
    }

    void detach() {
        attached.decrementAndGet();
        wake.release();
    }

    /** The node running the request appended to the stream. */
    void appended() {
        wake.release();
    }

    private void follow() {
        while (attached.get() > 0 && !local.isCompleted()) {
            try {
                SessionStreams.CopyAnswer known;
                synchronized (this) {
                    known = answered;
                }
                if (known == SessionStreams.CopyAnswer.NOT_HELD) {
                    // the node running it no longer has it: the log holds all there will be
                    catchUp();
                    if (!local.isCompleted()) {
                        fail("The node that ran this request (" + node + ") no longer holds its stream, and its"
                                + " response was not stored; send the request again", "no longer holds the stream");
                    }
                    continue;
                }
                boolean woken = wake.tryAcquire(LIVENESS_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (catchUp() || woken) {
                    continue;
                }
                if (!log.nodeAlive(node) && !catchUp()) {
                    fail("The node that ran this request (" + node + ") stopped before answering; send the request"
                            + " again", "stopped before answering");
                } else {
                    // alive, and nothing came for a while: its copy was not confirmed yet (it was slow, or Redis
                    // unreachable), or a write of it failed, or it let the stream go: asking again tells, and makes it
                    // try again a write that failed
                    SessionStreams.CopyAnswer answer = log.askToCopy(sessionId, local.key(), ASK_WAIT);
                    if (answer != SessionStreams.CopyAnswer.NO_ANSWER) {
                        synchronized (this) {
                            answered = answer;
                        }
                        wake.release();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (McpException e) {
                // Redis unreachable: tried again at the next check
                try {
                    wake.tryAcquire(LIVENESS_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Ends the local stream with a JSON-RPC error for the request, after what it holds. */
    private void fail(String message, String why) {
        synchronized (this) {
            local.deliver(fetched + 1, Json.write(JsonRpc.error(requestId, ErrorCodes.INTERNAL_ERROR, message, null)));
        }
        local.complete();
        LOG.log(System.Logger.Level.INFO, "SSE stream " + local.key() + ": node " + node + " " + why
                + "; the resumed request got an error");
    }

    /** Reads what is new; true when it read something. Completes the local stream at the response. */
    private synchronized boolean catchUp() {
        boolean read = false;
        List<SessionStreams.Event> batch;
        do {
            batch = log.after(sessionId, local.key(), fetched, BATCH);
            for (SessionStreams.Event e : batch) {
                local.deliver(e.seq(), e.data());
                fetched = e.seq();
                read = true;
                if (isResponse(e.data())) {
                    local.complete();
                    return true;
                }
            }
        } while (batch.size() == BATCH);
        return read;
    }

    private boolean isResponse(String data) {
        try {
            JsonNode m = Json.parse(data);
            return !m.has("method") && requestId.equals(m.get("id"));
        } catch (Exception e) {
            return false;
        }
    }
}
