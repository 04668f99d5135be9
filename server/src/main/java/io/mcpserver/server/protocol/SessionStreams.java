package io.mcpserver.server.protocol;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The events of each shared session's own stream (the Streamable HTTP GET stream, the legacy {@code /sse} stream),
 * kept where every node of a cluster reads them: a node that produces a message for the session appends it here,
 * whichever node holds the client's connection reads and writes it, and a client resuming with
 * {@code Last-Event-ID} on any node gets what it missed. Sequence numbers are given out by the log, one series per
 * session across all nodes, so event ids stay unique and ordered whoever wrote them.
 *
 * <p>Kept per session: the last {@code capacity} events (like {@code sse-replay-buffer} on one node), forgotten with
 * the session or after its idle timeout without use.
 */
public interface SessionStreams {

    /** One kept event: its sequence number in the session's series and the message as JSON text. */
    record Event(long seq, String data) {
    }

    /**
     * Appends a message to the session's stream and tells every node ({@link #onAppended}).
     *
     * @return its sequence number
     * @throws McpException {@link SessionStore#unavailable()} when the log cannot be reached
     */
    long append(String sessionId, String data);

    /** The kept events of the session's own stream numbered above {@code seq}, oldest first, at most {@code max}. */
    default List<Event> after(String sessionId, long seq, int max) {
        return after(sessionId, OWN, seq, max);
    }

    /** The kept events of one of the session's streams ({@link #OWN}, or a POST's) numbered above {@code seq}. */
    List<Event> after(String sessionId, String stream, long seq, int max);

    /**
     * Copies events of a POST's stream (numbered by the node running it, oldest first) to the log in one step, so
     * that the client can resume the stream on another node; events numbered at or below the last one kept are
     * skipped, so a copy sent again adds nothing twice. Announced like {@link #append}. Completes once the log holds
     * them; fails (the stage) when the log cannot be reached.
     */
    CompletionStage<Void> copy(String sessionId, String stream, List<Event> events);

    /** What the node running a POST's stream answered when asked to copy it ({@link #askToCopy}). */
    enum CopyAnswer {
        /** The log holds every event that node still keeps of the stream, and will hold each later one. */
        COPIED,
        /** That node no longer has the stream (read to its end, or dropped): the log holds all there will be. */
        NOT_HELD,
        /** No answer in time: that node is dead, slow, or the log is unreachable. */
        NO_ANSWER
    }

    /**
     * Asks the node named in a POST stream's key to copy the stream to the log (another node's client resumes it
     * here) and waits up to {@code wait} for its answer.
     *
     * @throws McpException {@link SessionStore#unavailable()} when the log cannot be reached
     */
    CopyAnswer askToCopy(String sessionId, String stream, Duration wait);

    /**
     * Calls {@code listener(sessionId, stream)} when another node asks for a copy of a POST's stream: it returns null
     * when the stream is not this node's to answer for, else a stage that completes with this node's answer
     * ({@link CopyAnswer#COPIED} once the log holds what it keeps of the stream).
     */
    void onCopyAsked(BiFunction<String, String, CompletionStage<CopyAnswer>> listener);

    /**
     * Forgets a POST's stream kept in the log but its last event (the response): the client read all of it. The
     * response stays until the stream expires with the session, so that a node asked later to resume the stream at
     * it can tell that the call was answered, whether or not the node that ran it still has the stream.
     */
    void forget(String sessionId, String stream);

    /** Whether the node {@code nodeId} is running (it renews a mark in the log every few seconds). */
    boolean nodeAlive(String nodeId);

    /** This node's id. */
    String nodeId();

    /** The key of a session's own stream (its GET or legacy {@code /sse} stream) in {@link #onAppended}. */
    String OWN = "g";

    /** Records that the client read the stream up to {@code seq} (a connection ended there). */
    void read(String sessionId, long seq);

    /** Up to where the client read the stream on any node (0: nothing yet, or unknown). */
    long readMark(String sessionId);

    /**
     * Calls {@code listener(sessionId, stream)} when any node appended to one of a session's streams ({@link #OWN}
     * or a POST's), on a thread of its own.
     */
    void onAppended(java.util.function.BiConsumer<String, String> listener);

    /** Whether the log can be reached now. */
    boolean reachable();

    /** Calls {@code listener} after a lost link to the log came back: appends may have been missed. */
    void onReconnect(Runnable listener);
}
