package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.SessionStreams;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stream of a session shared by a cluster's nodes (its GET stream, or its legacy {@code /sse} stream), as this
 * node sees it: what is sent to the client is appended to the cluster's log (whichever node produced it), and while a
 * connection of this node writes the stream, the log's new events are read into the local {@link SseStream} it
 * pumps. So each message reaches the client once, through the node holding its connection, and a client that
 * reconnects to any node with {@code Last-Event-ID} gets what it missed.
 */
final class SharedStream implements MessageSink {

    private static final System.Logger LOG = System.getLogger(SharedStream.class.getName());
    private static final int BATCH = 256;

    private final SessionStreams log;
    private final String sessionId;
    private final SseStream local;
    /** A legacy {@code /sse} stream: its events carry no ids, so this node may write one itself. */
    private final boolean unnumbered;
    private final AtomicInteger attached = new AtomicInteger();
    /** The last sequence number read from the log into {@link #local}; guarded by {@code this}. */
    private long fetched;

    SharedStream(SessionStreams log, String sessionId, SseStream local, boolean unnumbered) {
        this.unnumbered = unnumbered;
        this.log = log;
        this.sessionId = sessionId;
        this.local = local;
    }

    @Override
    public void send(ObjectNode message) {
        try {
            log.append(sessionId, Json.write(message));
        } catch (McpException e) {
            if (unnumbered && attached.get() > 0) {
                local.send(message); // the client's connection is here: it needs no Redis
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "Redis unreachable: a " + message.path("method").asText("response")
                    + " for session stream " + local.key() + " is lost");
        }
    }

    /**
     * A connection of this node starts writing the stream after {@code after}: what the log holds beyond it is read
     * now, what comes later as it is announced ({@link #appended()}).
     */
    void attach(long after) {
        attached.incrementAndGet();
        synchronized (this) {
            fetched = Math.max(fetched, after); // a client resuming further on needs nothing before its id
        }
        appended();
    }

    /** The connection ended: how far the client read is recorded, for a later GET without Last-Event-ID elsewhere. */
    void detach() {
        attached.decrementAndGet();
        log.read(sessionId, local.deliveredSeq());
    }

    /** Whether a message sent now reaches the client: its connection is here, or the log can be reached. */
    boolean reachable() {
        return (unnumbered && attached.get() > 0) || log.reachable();
    }

    /** Where a connection without {@code Last-Event-ID} starts: after what the client read on any node. */
    long readMark() {
        try {
            return Math.max(local.deliveredSeq(), log.readMark(sessionId));
        } catch (McpException e) {
            return local.deliveredSeq();
        }
    }

    /** The log grew (or may have: the link to it came back): read it while a connection here writes the stream. */
    void appended() {
        if (attached.get() <= 0) {
            return; // the node whose connection the client holds reads it; a later attach here catches up
        }
        synchronized (this) {
            try {
                List<SessionStreams.Event> batch;
                do {
                    batch = log.after(sessionId, fetched, BATCH);
                    for (SessionStreams.Event e : batch) {
                        local.deliver(e.seq(), e.data());
                        fetched = e.seq();
                    }
                } while (batch.size() == BATCH);
            } catch (McpException e) {
                // the reconnection reads it again (SessionStreams.onReconnect)
                LOG.log(System.Logger.Level.DEBUG, "Reading session stream " + local.key() + " from Redis failed");
            }
        }
    }
}
