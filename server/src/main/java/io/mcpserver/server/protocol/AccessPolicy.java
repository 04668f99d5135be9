package io.mcpserver.server.protocol;

import io.mcpserver.spi.Caller;

/** Decides whether a caller may see and use a tool, resource or prompt. Checked in the dispatcher only. */
public interface AccessPolicy {

    enum Kind { TOOL, RESOURCE, PROMPT }

    /** Empty when allowed, else what is missing (e.g. the scope needed), for the error message. */
    java.util.Optional<String> denial(Caller caller, Kind kind, String name);

    default boolean allows(Caller caller, Kind kind, String name) {
        return denial(caller, kind, name).isEmpty();
    }

    AccessPolicy ALLOW_ALL = (caller, kind, name) -> java.util.Optional.empty();
}
