package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** Serves one MCP method: returns the {@code result}, or throws {@link McpException} for an error reply. */
@FunctionalInterface
public interface MethodHandler {

    JsonNode handle(Request request) throws Exception;
}
