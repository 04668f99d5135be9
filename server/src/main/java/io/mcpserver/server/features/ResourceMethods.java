package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.ClientText;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.Pagination;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.WireFormat;
import io.mcpserver.server.registry.FeatureRegistry.RegisteredResource;
import io.mcpserver.server.registry.FeatureRegistry.RegisteredTemplate;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.resources.ResourceNotFoundException;

import java.util.List;
import java.util.Map;
import java.util.Set;

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
                .register("resources/read", this::read, this::target)
                .register("resources/subscribe", this::subscribe)
                .register("resources/unsubscribe", this::unsubscribe);
    }

    private JsonNode list(Request request) {
        List<RegisteredResource> visible = registry.snapshot().resources().values().stream()
                .filter(r -> allowed(request, r.resource().descriptor().uri()))
                .toList();
        Pagination.Page<RegisteredResource> page = Pagination.page(visible, r -> r.resource().descriptor().uri(), request.params(), settings.pageSize());
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
        Pagination.Page<RegisteredTemplate> page = Pagination.page(visible, t -> t.template().descriptor().uriTemplate(), request.params(), settings.pageSize());
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("resourceTemplates");
        page.items().forEach(t -> items.add(WireFormat.resourceTemplate(t.template().descriptor(), request.version())));
        Pagination.putCursor(result, page);
        return result;
    }

    /**
     * The resource or template a read names, if the caller may read it (the rules name a template by its URI
     * template): the dispatcher checks this at admission, before the read runs.
     */
    private Object target(Request request) {
        String uri = request.requiredString("uri");
        Object target = registry.resolveResource(uri).orElseThrow(() -> notFound(uri));
        if (target instanceof RegisteredTemplate t) {
            variables(t, uri); // a URI the template cannot take apart is the caller's mistake, before the rules
        }
        check(request, target, uri, "read");
        return target;
    }

    private JsonNode read(Request request) throws Exception {
        String uri = request.requiredString("uri");
        Object target = target(request); // again: the registry may have changed since admission
        List<ResourceContents> contents;
        try {
            if (target instanceof RegisteredResource r) {
                contents = r.owner().call(() -> r.resource().read(request.context()));
            } else {
                RegisteredTemplate t = (RegisteredTemplate) target;
                Map<String, String> variables = variables(t, uri);
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

    /** The variables a template takes from {@code uri}; bad percent-encoding is the caller's mistake (-32602). */
    private static Map<String, String> variables(RegisteredTemplate t, String uri) {
        try {
            return t.uriTemplate().match(uri).orElseThrow(() -> notFound(uri));
        } catch (IllegalArgumentException e) {
            throw new McpException(ErrorCodes.INVALID_PARAMS, "Invalid resource URI '" + ClientText.shown(uri)
                    + "': bad percent-encoding (" + e.getMessage() + ")");
        }
    }

    private JsonNode subscribe(Request request) {
        String uri = request.requiredString("uri");
        if (uri.length() > settings.maxUriLength()) {
            throw new McpException(ErrorCodes.INVALID_PARAMS, "The resource URI is " + uri.length()
                    + " characters long; at most " + settings.maxUriLength() + " are accepted (limits.max-uri-length)");
        }
        Object target = registry.resolveResource(uri).orElseThrow(() -> notFound(uri));
        if (target instanceof RegisteredTemplate t) {
            variables(t, uri);
        }
        // updates carry the resource's URI: a caller who may not read it may not hear about it either
        check(request, target, uri, "subscribe to");
        Set<String> subscriptions = request.session().subscriptions();
        synchronized (subscriptions) {
            if (!subscriptions.contains(uri) && subscriptions.size() >= settings.maxSubscriptions()) {
                throw new McpException(ErrorCodes.LIMIT_EXCEEDED, "This session already has "
                        + subscriptions.size() + " subscriptions, the most allowed "
                        + "(limits.max-subscriptions-per-session); unsubscribe from one first");
            }
            if (subscriptions.add(uri)) {
                try {
                    request.session().changed();
                } catch (RuntimeException e) {
                    subscriptions.remove(uri); // refused (a cluster's store is unreachable): as if never asked
                    throw e;
                }
            }
        }
        return Json.object();
    }

    private JsonNode unsubscribe(Request request) {
        String uri = request.requiredString("uri");
        if (request.session().subscriptions().remove(uri)) {
            try {
                request.session().changed();
            } catch (RuntimeException e) {
                request.session().subscriptions().add(uri); // refused: still subscribed
                throw e;
            }
        }
        return Json.object();
    }

    private boolean allowed(Request request, String name) {
        return access.allows(request.session().caller(), AccessPolicy.Kind.RESOURCE, name);
    }

    /**
     * A resource is checked by its URI. A URI served by a template is checked three times, and all must pass:
     * by the template string (rules written for the template), by the URI as requested and by the URI
     * percent-decoded (rules on concrete URIs such as {@code demo://greeting/admin*}, which a template must not
     * bypass, however the URI is encoded).
     */
    private void check(Request request, Object target, String uri, String verb) {
        String message = "Not allowed to " + verb + " resource '" + ClientText.shown(uri) + "'";
        var caller = request.session().caller();
        if (target instanceof RegisteredTemplate t) {
            access.check(caller, AccessPolicy.Kind.RESOURCE, t.template().descriptor().uriTemplate(), message);
            String decoded = decoded(uri);
            if (!decoded.equals(uri)) {
                access.check(caller, AccessPolicy.Kind.RESOURCE, decoded, message);
            }
        }
        access.check(caller, AccessPolicy.Kind.RESOURCE, uri, message);
    }

    private static String decoded(String uri) {
        try {
            return java.net.URLDecoder.decode(uri.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return uri;
        }
    }

    private static McpException notFound(String uri) {
        ObjectNode data = Json.object();
        data.put("uri", uri);
        return new McpException(ErrorCodes.RESOURCE_NOT_FOUND, "Resource not found: " + uri, data);
    }
}
