package io.mcpserver.server.presence;

import java.util.List;
import java.util.Optional;

/**
 * Who is connected: every live connection and session on every transport (stdio, TCP, Streamable HTTP, legacy
 * SSE, WebSocket, plugin transports). Entries are snapshots taken when asked; nothing is allocated on the request
 * path (a session's last activity and in-flight count are a timestamp and a map it keeps anyway).
 *
 * <p>{@link LocalPresence} sees this process; a clustered implementation can merge the views of several nodes
 * behind the same interface.
 */
public interface Presence {

    /** Every live connection and session, oldest first. */
    List<PresenceEntry> list();

    /** The entry with this id ({@link PresenceEntry#id()}), if it is live. */
    Optional<PresenceEntry> find(String id);

    /**
     * Ends a connection or session from the server's side: its transport drops the client (closes the socket, ends
     * the streams) and its running calls are cancelled.
     */
    Disconnect disconnect(String id, String reason);

    /** What {@link #disconnect} did. */
    enum Disconnect {
        /** it was live and is closed now */
        CLOSED,
        /** no live connection or session has that id */
        NOT_FOUND,
        /** its transport cannot end it from the server's side (stdio: the server's own parent process) */
        NOT_SUPPORTED
    }
}
