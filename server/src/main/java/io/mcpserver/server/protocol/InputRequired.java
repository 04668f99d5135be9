package io.mcpserver.server.protocol;

/**
 * Unwinds a tool that asked the client for input in the stateless era, so the request can end with
 * {@code input_required}. An {@link Error}, so that a tool's own {@code catch (Exception e)} does not
 * swallow it; even when something does, the context still knows input is pending.
 */
final class InputRequired extends Error {

    InputRequired(String keys) {
        super("the client's answers to " + keys + " are needed", null, false, false);
    }
}
