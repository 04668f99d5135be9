package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.Caller;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Decides whether a caller may see and use a tool, resource or prompt. Checked in the dispatcher only. */
public interface AccessPolicy {

    enum Kind { TOOL, RESOURCE, PROMPT }

    /** Empty when allowed, else what is missing (e.g. the scope needed), for the error message. */
    Optional<String> denial(Caller caller, Kind kind, String name);

    default boolean allows(Caller caller, Kind kind, String name) {
        return denial(caller, kind, name).isEmpty();
    }

    /** Every scope a caller needs to use that name: what an HTTP {@code insufficient_scope} challenge names. */
    default Set<String> requiredScopes(Kind kind, String name) {
        return Set.of();
    }

    /**
     * Refuses a call the caller may not make: {@link ErrorCodes#FORBIDDEN} with {@code action} and what is
     * missing in the message, and {@code data.requiredScopes} for transports that challenge for scopes.
     */
    default void check(Caller caller, Kind kind, String name, String action) {
        Optional<String> missing = denial(caller, kind, name);
        if (missing.isPresent()) {
            ObjectNode data = Json.object();
            data.put("reason", missing.get());
            ArrayNode scopes = data.putArray("requiredScopes");
            new TreeSet<>(requiredScopes(kind, name)).forEach(scopes::add);
            throw new McpException(ErrorCodes.FORBIDDEN, action + ": " + missing.get(), data);
        }
    }

    AccessPolicy ALLOW_ALL = (caller, kind, name) -> Optional.empty();
}
