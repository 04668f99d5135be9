package io.mcpserver.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The protocol core the fuzz targets feed: only features that answer at once (an {@code echo} tool, a resource
 * template with a simple and a reserved variable, a prompt), so "every request is answered within the bound" is a
 * property of the server and not of a slow tool. {@link #assertClear} is the property every reply must have.
 */
public final class FuzzCore {

    /** Codes a client can act on. -32603 (internal error) means input reached an unexpected exception: a finding. */
    private static final Set<Integer> CLEAR_CODES = Set.of(ErrorCodes.PARSE_ERROR, ErrorCodes.INVALID_REQUEST,
            ErrorCodes.METHOD_NOT_FOUND, ErrorCodes.INVALID_PARAMS, ErrorCodes.RESOURCE_NOT_FOUND,
            ErrorCodes.LIMIT_EXCEEDED, ErrorCodes.UNAUTHORIZED, ErrorCodes.FORBIDDEN, ErrorCodes.HEADER_MISMATCH,
            ErrorCodes.MISSING_CLIENT_CAPABILITY, ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION);

    private FuzzCore() {
    }

    public static McpCore create() {
        return create(ServerConfig.defaults());
    }

    public static McpCore create(ServerConfig config) {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(new Contributions(new Owner("fuzz", FuzzCore.class.getClassLoader()), tools(), List.of(),
                List.of(ResourceTemplate.of(ResourceTemplateDescriptor.of("item://{id}/{+rest}", "item", null,
                        "text/plain"), (uri, vars, ctx) -> List.of(ResourceContents.text(uri, "text/plain",
                        vars.get("id") + "|" + vars.get("rest"))))),
                List.of(Prompt.of(PromptDescriptor.of("greet", "greets"),
                        (args, ctx) -> PromptResult.ofUserText(null, "hello " + args.get("name")))),
                List.of()));
        return new McpCore(config.protocol(), registry, AccessPolicy.ALLOW_ALL, false);
    }

    public static Caller anonymous() {
        return new Caller("anonymous", Set.of(), Set.of(), null, null, Map.of());
    }

    private static List<Tool> tools() {
        // parameters that travel as Mcp-Param-* headers too (protocol 2026-07-28)
        Map<String, Object> mirrored = new LinkedHashMap<>();
        mirrored.put("type", "object");
        mirrored.put("properties", Map.of(
                "region", Map.of("type", "string", "x-mcp-header", "Region"),
                "limit", Map.of("type", "integer", "x-mcp-header", "Limit"),
                "query", Map.of("type", "string")));
        mirrored.put("required", List.of("region", "query"));
        return List.of(Tool.of(ToolDescriptor.builder("echo").description("returns its text")
                        .param("text", "string", "text", true).build(),
                (args, ctx) -> ToolResult.text(Objects.toString(args.get("text")))),
                Tool.of(new ToolDescriptor("run_query", null, "mirrors two parameters in headers", mirrored, null, null),
                        (args, ctx) -> ToolResult.text(args.get("region") + ":" + args.get("query"))),
                // a REST multipart target: a text part, a binary part (base64) and a number
                Tool.of(ToolDescriptor.builder("upload").inputSchema(Map.of("type", "object", "properties", Map.of(
                        "notes", Map.of("type", "string"),
                        "data", Map.of("type", "string", "contentEncoding", "base64"),
                        "count", Map.of("type", "integer")), "required", List.of("notes", "data"))).build(),
                        (args, ctx) -> ToolResult.text(args.get("notes") + "|"
                                + java.util.Base64.getDecoder().decode((String) args.get("data")).length)));
    }

    /**
     * A message the server sent is well-formed JSON-RPC 2.0 and, if an error, carries a code a client can act on
     * and a message; never -32603 for something the client sent.
     */
    public static void assertClear(JsonNode message) {
        if (!(message instanceof ObjectNode) || !"2.0".equals(message.path("jsonrpc").asText(null))) {
            throw new AssertionError("not a JSON-RPC 2.0 message: " + message);
        }
        if (message.has("method")) {
            return; // a notification or a server request (progress, logs, list changes)
        }
        if (!message.has("id") || message.has("result") == message.has("error")) {
            throw new AssertionError("a response needs an id and exactly one of result/error: " + message);
        }
        JsonNode error = message.get("error");
        if (error != null) {
            JsonNode code = error.get("code");
            if (code == null || !code.isInt() || !CLEAR_CODES.contains(code.intValue())) {
                throw new AssertionError("not a clear JSON-RPC error: " + message);
            }
            if (!error.path("message").isTextual() || error.path("message").asText().isBlank()) {
                throw new AssertionError("an error without a message: " + message);
            }
        }
    }
}
