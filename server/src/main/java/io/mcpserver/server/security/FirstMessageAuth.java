package io.mcpserver.server.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.spi.Caller;

/**
 * Authentication for connection transports without headers (TCP): the connection's first message must be a
 * request (normally {@code initialize}; in the stateless era any request) carrying the token in
 * {@code params._meta["io.mcpserver/authorization"]} as {@code "Bearer <token>"}. The entry is removed before the
 * message goes on, so the token reaches no handler, plugin or log. A connection whose caller is already known
 * (a verified TLS client certificate) skips this.
 *
 * <pre>{@code {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
 *   "capabilities":{},"clientInfo":{"name":"c","version":"1"},
 *   "_meta":{"io.mcpserver/authorization":"Bearer eyJhbGciOi..."}}}}</pre>
 */
public final class FirstMessageAuth {

    /** The {@code _meta} key of the credentials. */
    public static final String META_KEY = "io.mcpserver/authorization";

    /** What became of the first message: the text to hand to the dispatcher, or the error to send before closing. */
    public record Outcome(String message, ObjectNode refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    private final ServerSecurity security;

    public FirstMessageAuth(ServerSecurity security) {
        this.security = security;
    }

    /** Whether connections must authenticate with their first message (security on). */
    public boolean required() {
        return security.enabled();
    }

    /**
     * Checks a connection's first message and, when it is accepted, sets the session's caller.
     *
     * @param transport the transport's name, for the audit trail
     * @param remote    the client's address, for the audit trail
     */
    public Outcome authenticate(Session session, String firstMessage, String transport, String remote) {
        JsonNode message;
        try {
            message = Json.parse(firstMessage);
        } catch (JsonProcessingException e) {
            message = null;
        }
        JsonNode id = message == null ? NullNode.getInstance() : JsonRpc.idOrNull(message);
        if (message == null || JsonRpc.kind(message) != JsonRpc.Kind.REQUEST) {
            AuthFailure failure = new AuthFailure(AuthFailure.Reason.MISSING_TOKEN, "the first message must be a request "
                    + "(initialize) with params._meta[\"" + META_KEY + "\"] = \"Bearer <token>\"");
            security.audit().authenticationFailed(transport, remote, failure);
            return new Outcome(null, JsonRpc.error(id, failure.toMcpException()));
        }
        JsonNode meta = message.path("params").path("_meta");
        String token = Authenticator.bearerToken(meta.path(META_KEY).asText(null));
        if (meta instanceof ObjectNode m) {
            m.remove(META_KEY);
        }
        AuthResult result = security.authenticate(transport, remote, token);
        if (result instanceof AuthFailure failure) {
            McpException error = failure.toMcpException();
            return new Outcome(null, JsonRpc.error(id, error));
        }
        Caller caller = ((AuthResult.Authenticated) result).caller();
        session.caller(new Caller(caller.subject(), caller.scopes(), caller.roles(), session.transport(),
                session.clientId(), session.caller().clientInfo()));
        return new Outcome(Json.write(message), null);
    }
}
