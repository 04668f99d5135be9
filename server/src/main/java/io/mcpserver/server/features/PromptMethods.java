package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Pagination;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.WireFormat;
import io.mcpserver.server.registry.FeatureRegistry.RegisteredPrompt;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code prompts/list} and {@code prompts/get}, with required arguments checked before the plugin runs. A plugin
 * that refuses an argument throws {@link IllegalArgumentException}; the client gets -32602 with its message.
 */
public final class PromptMethods {

    private static final System.Logger LOG = System.getLogger(PromptMethods.class.getName());

    private final FeatureRegistry registry;
    private final ProtocolSettings settings;
    private final AccessPolicy access;

    public PromptMethods(FeatureRegistry registry, ProtocolSettings settings, AccessPolicy access) {
        this.registry = registry;
        this.settings = settings;
        this.access = access;
    }

    public void register(Dispatcher dispatcher) {
        dispatcher.register("prompts/list", this::list).register("prompts/get", this::get, this::target);
    }

    private JsonNode list(Request request) {
        List<RegisteredPrompt> visible = registry.snapshot().prompts().values().stream()
                .filter(p -> access.allows(request.session().caller(), AccessPolicy.Kind.PROMPT,
                        p.prompt().descriptor().name()))
                .toList();
        Pagination.Page<RegisteredPrompt> page = Pagination.page(visible, p -> p.prompt().descriptor().name(), request.params(), settings.pageSize());
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("prompts");
        page.items().forEach(p -> items.add(WireFormat.prompt(p.prompt().descriptor(), request.version())));
        Pagination.putCursor(result, page);
        return result;
    }

    /** The prompt a request names, if the caller may get it: the dispatcher checks this at admission. */
    private RegisteredPrompt target(Request request) {
        String name = request.requiredString("name");
        RegisteredPrompt prompt = registry.prompt(name)
                .orElseThrow(() -> McpException.invalidParams("Unknown prompt: " + name));
        access.check(request.session().caller(), AccessPolicy.Kind.PROMPT, name,
                "Not allowed to get prompt '" + name + "'");
        return prompt;
    }

    private JsonNode get(Request request) throws Exception {
        RegisteredPrompt prompt = target(request); // again: the registry may have changed since admission
        String name = request.requiredString("name");
        Map<String, String> arguments = new LinkedHashMap<>();
        JsonNode given = request.paramsObject().get("arguments");
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                throw McpException.invalidParams("prompts/get: 'arguments' must be an object of strings");
            }
            given.properties().forEach(e -> arguments.put(e.getKey(),
                    e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        }
        for (PromptDescriptor.Argument a : prompt.prompt().descriptor().arguments()) {
            if (a.required() && !arguments.containsKey(a.name())) {
                throw McpException.invalidParams("Prompt '" + name + "' needs argument '" + a.name() + "'");
            }
        }
        PromptResult result;
        try {
            result = prompt.owner().call(() -> prompt.prompt().get(Map.copyOf(arguments), request.context()));
        } catch (IllegalArgumentException e) {
            // the plugin refused the caller's input: -32602 with its own message, not an internal error
            String message = e.getMessage() == null ? "invalid arguments" : e.getMessage();
            LOG.log(System.Logger.Level.INFO, "prompt " + name + " refused its arguments: " + message);
            throw McpException.invalidParams("Prompt '" + name + "': " + message);
        }
        return WireFormat.promptResult(result);
    }
}
