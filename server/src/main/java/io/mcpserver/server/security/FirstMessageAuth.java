package io.mcpserver.server.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.JsonRpc;

/**
 * Where the credential of a connection transport without headers (TCP, plugin transports) is: its first message
 * must be a request (normally {@code initialize}; in the stateless era any request) carrying the token in
 * {@code params._meta["io.mcpserver/authorization"]} as {@code "Bearer <token>"} or {@code "ApiKey <key>"} (any
 * {@code "<scheme> <secret>"} a credential checker takes). The entry is removed before the
 * message goes on, so the token reaches no handler, plugin or log. {@link EdgeAuthenticator} checks it.
 *
 * <pre>{@code {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
 *   "capabilities":{},"clientInfo":{"name":"c","version":"1"},
 *   "_meta":{"io.mcpserver/authorization":"Bearer eyJhbGciOi..."}}}}</pre>
 */
public final class FirstMessageAuth {

    /** The {@code _meta} key of the credentials. */
    public static final String META_KEY = "io.mcpserver/authorization";

    /**
     * A first message taken apart: its id (for the answer), the credential it carries (null if none), and its text
     * without the credential; {@code request} is false when it is no request at all.
     */
    record Parts(JsonNode id, boolean request, PresentedCredential credential, String message) {
    }

    private FirstMessageAuth() {
    }

    static Parts read(String firstMessage) {
        JsonNode message;
        try {
            message = Json.parse(firstMessage);
        } catch (JsonProcessingException e) {
            message = null;
        }
        JsonNode id = message == null ? NullNode.getInstance() : JsonRpc.idOrNull(message);
        if (message == null || JsonRpc.kind(message) != JsonRpc.Kind.REQUEST) {
            return new Parts(id, false, null, null);
        }
        JsonNode meta = message.path("params").path("_meta");
        PresentedCredential credential = PresentedCredential.fromAuthorization(meta.path(META_KEY).asText(null));
        if (meta instanceof ObjectNode m) {
            m.remove(META_KEY);
        }
        return new Parts(id, true, credential, Json.write(message));
    }

    /** Why a connection that sent no first message within {@code timeout} is closed. */
    static AuthFailure timedOut(java.time.Duration timeout) {
        return new AuthFailure(AuthFailure.Reason.TIMEOUT, "no authenticating first message within "
                + timeout.toMillis() + " ms; send initialize with params._meta[\"" + META_KEY
                + "\"] = \"Bearer <token>\" (or \"ApiKey <key>\") right after connecting");
    }

    /** Why a first message that is no request cannot authenticate. */
    static AuthFailure notARequest() {
        return new AuthFailure(AuthFailure.Reason.MISSING_TOKEN, "the first message must be a request "
                + "(initialize) with params._meta[\"" + META_KEY + "\"] = \"Bearer <token>\" (or \"ApiKey <key>\")");
    }
}
