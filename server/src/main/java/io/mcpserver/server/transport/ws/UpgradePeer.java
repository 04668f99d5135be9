package io.mcpserver.server.transport.ws;

import io.helidon.common.socket.PeerInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * The remote peer of the HTTP request being upgraded to WebSocket. Helidon 4.2.3 hands
 * {@link io.helidon.websocket.WsListener#onHttpUpgrade} only the request line and headers; it reads the headers
 * (telling this listener, with the connection) and then runs the upgrade on the same thread, so the peer is kept
 * in a thread-local in between. It gives refused upgrades their address in the audit trail and its rate limits,
 * and WSS its client certificate.
 */
public final class UpgradePeer implements Http1ConnectionListener {

    private static final ThreadLocal<PeerInfo> CURRENT = new ThreadLocal<>();

    /** The listener to add to the HTTP listener's {@code Http1Config} receive listeners. */
    public static final UpgradePeer LISTENER = new UpgradePeer();

    private UpgradePeer() {
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        // only an upgrade needs it: no thread-local (and no map for it) on the thread of every other connection
        if (headers.contains(HeaderNames.UPGRADE)) {
            CURRENT.set(ctx.remotePeer());
        } else {
            CURRENT.remove();
        }
    }

    /** The peer of the upgrade request on this thread, forgotten once read; null outside an upgrade. */
    static PeerInfo take() {
        PeerInfo peer = CURRENT.get();
        CURRENT.remove(); // the connection's thread lives on as the WebSocket's: it keeps nothing of the upgrade
        return peer;
    }

    /** {@code host:port}, or null when unknown. */
    static String describe(PeerInfo peer) {
        return peer == null ? null : peer.host() + ":" + peer.port();
    }
}
