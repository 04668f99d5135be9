package io.mcpserver.server.presence;

import java.util.List;

/**
 * One live connection or session as an operator sees it. Never holds a credential: the id is the client id
 * ({@code tcp-3}, {@code http-12}), not the {@code Mcp-Session-Id}, which lets whoever knows it use the session.
 *
 * @param id              the server-assigned client id, unique across transports
 * @param transport       {@code stdio}, {@code tcp}, {@code http}, {@code sse}, {@code websocket}, or a plugin's
 * @param principal       the authenticated subject ({@code anonymous} with security off)
 * @param remote          the client's address ({@code host:port}), {@code stdio}, or null when unknown
 * @param clientName      {@code clientInfo.name} from {@code initialize}; null before it
 * @param clientVersion   {@code clientInfo.version}; null before {@code initialize}
 * @param protocolVersion the negotiated version; null before {@code initialize}
 * @param openedAtMillis  when it opened, in milliseconds since the epoch
 * @param lastActivityMillis when the last request began or ended
 * @param inFlight        requests running now
 * @param subscriptions   resource URIs subscribed to, sorted
 * @param closable        whether {@link Presence#disconnect} can end it
 * @param detached        its connection was lost and it waits for its client to resume it ({@code sessions.resume-window});
 *                        {@code remote} is where the client was
 */
public record PresenceEntry(String id, String transport, String principal, String remote, String clientName,
                            String clientVersion, String protocolVersion, long openedAtMillis,
                            long lastActivityMillis, int inFlight, List<String> subscriptions, boolean closable,
                            boolean detached) {
}
