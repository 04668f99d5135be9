package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.WireFormat;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionRef;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code completion/complete}: routes to the provider registered for the prompt or resource template. */
public final class CompletionMethods {

    private final FeatureRegistry registry;
    private final AccessPolicy access;

    /** @param access completions of a prompt or template are for callers who may use it (they reveal its values) */
    public CompletionMethods(FeatureRegistry registry, AccessPolicy access) {
        this.registry = registry;
        this.access = access;
    }

    public void register(Dispatcher dispatcher) {
        dispatcher.register("completion/complete", this::complete);
    }

    private JsonNode complete(Request request) throws Exception {
        JsonNode params = request.paramsObject();
        JsonNode ref = params.path("ref");
        CompletionRef target = switch (ref.path("type").asText("")) {
            case "ref/prompt" -> {
                String name = Json.text(ref, "name");
                if (name == null || registry.prompt(name).isEmpty()) {
                    throw McpException.invalidParams("Unknown prompt: " + name);
                }
                access.check(request.session().caller(), AccessPolicy.Kind.PROMPT, name,
                        "Not allowed to complete arguments of prompt '" + name + "'");
                yield CompletionRef.prompt(name);
            }
            case "ref/resource" -> {
                String uri = Json.text(ref, "uri");
                if (uri == null || !registry.snapshot().templates().containsKey(uri)) {
                    throw McpException.invalidParams("Unknown resource template: " + uri);
                }
                access.check(request.session().caller(), AccessPolicy.Kind.RESOURCE, uri,
                        "Not allowed to complete arguments of resource template '" + uri + "'");
                yield CompletionRef.resourceTemplate(uri);
            }
            default -> throw McpException.invalidParams(
                    "completion/complete: 'ref.type' must be 'ref/prompt' or 'ref/resource'");
        };
        JsonNode argument = params.path("argument");
        String name = Json.text(argument, "name");
        if (name == null) {
            throw McpException.invalidParams("completion/complete needs 'argument.name'");
        }
        String value = argument.path("value").asText("");
        Map<String, String> context = new LinkedHashMap<>();
        params.path("context").path("arguments").properties()
                .forEach(e -> context.put(e.getKey(), e.getValue().asText()));

        var provider = registry.completion(target);
        if (provider.isEmpty()) {
            return WireFormat.completion(new Completion(List.of(), 0, false));
        }
        Completion completion = provider.get().owner().call(() ->
                provider.get().provider().complete(name, value, Map.copyOf(context), request.context()));
        return WireFormat.completion(completion == null ? new Completion(List.of(), 0, false) : completion);
    }
}
