package io.mcpserver.server.transport.ws;

import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.mcpserver.server.config.WebSocketSettings;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.spi.Caller;

/**
 * MCP over WebSocket on the HTTP listener: the upgrade routes ({@code /ws} and {@code /} by default), each
 * connection a {@link WebSocketEndpoint} with a session of its own, and Helidon's frame limit set to the
 * message limit. The HTTP transport calls {@link #register} once while it builds its server.
 */
public final class WebSocketRouting {

    private WebSocketRouting() {
    }

    /**
     * Adds the WebSocket routes and protocol settings to a listener being built; nothing when
     * {@code transports.http.websocket.enabled} is false.
     *
     * @param check the HTTP listener's Origin/Host rule; a refused upgrade is answered 403
     * @return the connections that will be open on it (none when WebSocket is off)
     */
    public static WebSocketConnections register(ListenerConfig.BuilderBase<?, ?> listener, McpCore core,
                                                WebSocketSettings settings, Caller caller, UpgradeCheck check) {
        return register(listener, core, settings, EdgeAuthenticator.off(caller), "http", check);
    }

    /**
     * @param edge   authentication of each upgrade (the null object when security is off)
     * @param scheme {@code https} when the listener has TLS, else {@code http}: the origin of a challenge's
     *               {@code resource_metadata} URL when {@code security.resource} is not configured
     */
    public static WebSocketConnections register(ListenerConfig.BuilderBase<?, ?> listener, McpCore core,
                                                WebSocketSettings settings, EdgeAuthenticator edge, String scheme,
                                                UpgradeCheck check) {
        WebSocketConnections connections = new WebSocketConnections();
        if (!settings.enabled()) {
            return connections;
        }
        // Helidon refuses a single frame over this with 1009; fragmented messages are limited by the endpoint
        listener.addProtocol(WsConfig.builder().maxFrameLength((int) settings.maxMessageSize()).build());
        if (settings.maxInFlightPerPrincipal() > 0) {
            core.dispatcher().countInFlightPerPrincipal();
        }
        listener.addRouting(routing(core, settings, edge, scheme, check, connections));
        System.getLogger(WebSocketRouting.class.getName()).log(System.Logger.Level.INFO, "WebSocket on the HTTP "
                + "listener at " + String.join(", ", settings.paths()) + " (subprotocol mcp; ping every "
                + (settings.pingInterval().isZero() ? "never" : settings.pingInterval().toMillis() + " ms") + ")");
        return connections;
    }

    static WsRouting.Builder routing(McpCore core, WebSocketSettings settings, EdgeAuthenticator edge, String scheme,
                                     UpgradeCheck check, WebSocketConnections connections) {
        WsRouting.Builder routing = WsRouting.builder();
        for (String path : settings.paths()) {
            routing.endpoint(path, () -> new WebSocketEndpoint(core, settings, edge, scheme, check, connections));
        }
        return routing;
    }
}
