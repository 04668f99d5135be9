package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Pagination;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.WireFormat;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.FeatureRegistry.RegisteredResource;
import io.mcpserver.server.registry.FeatureRegistry.RegisteredTemplate;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.resources.ResourceNotFoundException;

import java.util.List;
import java.util.Map;

/** Resource listing, reading and subscriptions. */
public final class ResourceMethods {

    private final FeatureRegistry registry;
    private final ProtocolSettings settings;
    private final AccessPolicy access;

    public ResourceMethods(FeatureRegistry registry, ProtocolSettings settings, AccessPolicy access) {
        this.registry = registry;
        this.settings = settings;
        this.access = access;
    }

    public void register(Dispatcher dispatcher) {
        dispatcher.register("resources/list", this::list)
                .register("resources/templates/list", this::templates)
                .register("resources/read", this::read)
                .register("resources/subscribe", this::subscribe)
                .register("resources/unsubscribe", this::unsubscribe);
    }

    private JsonNode list(Request request) {
        List<RegisteredResource> visible = registry.snapshot().resources().values().stream()
                .filter(r -> allowed(request, r.resource().descriptor().uri()))
                .toList();
        Pagination.Page<RegisteredResource> page = Pagination.page(visible, request.params(), settings.pageSize());
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("resources");
        page.items().forEach(r -> items.add(WireFormat.resource(r.resource().descriptor(), request.version())));
        Pagination.putCursor(result, page);
        return result;
    }

    private JsonNode templates(Request request) {
        List<RegisteredTemplate> visible = registry.snapshot().templates().values().stream()
                .filter(t -> allowed(request, t.template().descriptor().uriTemplate()))
                .toList();
        Pagination.Page<RegisteredTemplate> page = Pagination.page(visible, request.params(), settings.pageSize());
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("resourceTemplates");
        page.items().forEach(t -> items.add(WireFormat.resourceTemplate(t.template().descriptor(), request.version())));
        Pagination.putCursor(result, page);
        return result;
    }

    private JsonNode read(Request request) throws Exception {
        String uri = request.requiredString("uri");
        Object target = registry.resolveResource(uri).orElseThrow(() -> notFound(uri));
        List<ResourceContents> contents;
        try {
            if (target instanceof RegisteredResource r) {
                check(request, uri, uri);
                contents = r.owner().call(() -> r.resource().read(request.context()));
            } else {
                RegisteredTemplate t = (RegisteredTemplate) target;
                check(request, t.template().descriptor().uriTemplate(), uri);
                Map<String, String> variables = t.uriTemplate().match(uri).orElseThrow();
                contents = t.owner().call(() -> t.template().read(uri, variables, request.context()));
            }
        } catch (ResourceNotFoundException e) {
            throw notFound(uri);
        }
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("contents");
        (contents == null ? List.<ResourceContents>of() : contents)
                .forEach(c -> items.add(WireFormat.resourceContents(c)));
        return result;
    }

    private JsonNode subscribe(Request request) {
        String uri = request.requiredString("uri");
        registry.resolveResource(uri).orElseThrow(() -> notFound(uri));
        request.session().subscriptions().add(uri);
        return Json.object();
    }

    private JsonNode unsubscribe(Request request) {
        request.session().subscriptions().remove(request.requiredString("uri"));
        return Json.object();
    }

    private boolean allowed(Request request, String name) {
        return access.allows(request.session().caller(), AccessPolicy.Kind.RESOURCE, name);
    }

    private void check(Request request, String name, String uri) {
        access.check(request.session().caller(), AccessPolicy.Kind.RESOURCE, name,
                "Not allowed to read resource '" + uri + "'");
    }

    private static McpException notFound(String uri) {
        ObjectNode data = Json.object();
        data.put("uri", uri);
        return new McpException(ErrorCodes.RESOURCE_NOT_FOUND, "Resource not found: " + uri, data);
    }
}
