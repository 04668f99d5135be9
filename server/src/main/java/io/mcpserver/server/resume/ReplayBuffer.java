package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The messages a resumable session sent (or would have sent) to its client, by sequence number, kept so that a
 * client that reconnects gets the ones it missed. Bounded: appending past the capacity drops the oldest message,
 * which {@link Outbox} reports to the client as lost when it resumes from before it.
 *
 * <p>One of the two seams {@link ResumeStore} exposes: in memory by default; a store shared by several processes
 * (Redis: one stream per session, {@code XADD … MAXLEN}) can keep it where another node can read it.
 * Implementations are called under the session's {@link Outbox} lock, one caller at a time.
 */
public interface ReplayBuffer {

    /** One kept message and its sequence number. */
    record Entry(long seq, ObjectNode message) {
    }

    /** Keeps {@code message} as number {@code seq} (always greater than every number kept); drops the oldest past capacity. */
    void append(long seq, ObjectNode message);

    /** The kept messages numbered above {@code seq}, oldest first. */
    List<Entry> after(long seq);

    /** Forgets every message numbered {@code seq} or below (the client acknowledged them, or read them). */
    void trimThrough(long seq);

    /** How many messages are kept now. */
    int size();

    /** Forgets everything: the session ended. */
    void clear();
}
