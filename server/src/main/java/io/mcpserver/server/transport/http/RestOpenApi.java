package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.spi.Caller;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The REST facade's OpenAPI 3.1 document, generated for each request from the live registry: the tools come from
 * {@code tools/list} as the caller (so the access rules filter them exactly as for an MCP client, and a plugin
 * reload shows at once), one operation per tool with its {@code inputSchema} as the request body and its
 * {@code outputSchema} as the result's {@code structuredContent}. With security on it declares the bearer scheme.
 */
final class RestOpenApi {

    /** Names that can be a path segment and a component key as they are. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** Per-tool paths that a fixed route already takes. */
    private static final List<String> TAKEN = List.of("list", "call");
    private static final String PROBLEM = "#/components/responses/Problem";

    private final RestCalls calls;
    private final String base;
    private final boolean security;

    /**
     * @param base     {@code rest.path}
     * @param security whether a bearer token is required
     */
    RestOpenApi(RestCalls calls, String base, boolean security) {
        this.calls = calls;
        this.base = base;
        this.security = security;
    }

    /**
     * The document as {@code caller} may use it; null caller: one who sent no token while security is on, who
     * sees the fixed routes but no tool operations.
     *
     * @param serverUrl where the caller reached this server, e.g. {@code http://127.0.0.1:9001}
     */
    ObjectNode document(Caller caller, String serverUrl) {
        ProtocolSettings settings = calls.core().settings();
        ObjectNode doc = Json.object();
        doc.put("openapi", "3.1.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", settings.serverName() + " REST API");
        info.put("version", settings.serverVersion());
        info.put("description", "The tools, resources and prompts of this MCP server as plain HTTP routes. Errors are "
                + "application/problem+json (RFC 9457) with the JSON-RPC code inside; a tool error is a 200 result "
                + "with isError: true." + (caller == null && security ? " Send a bearer token to see the operations "
                + "of the tools you may call." : ""));
        doc.putArray("servers").addObject().put("url", serverUrl);
        ObjectNode components = doc.putObject("components");
        ObjectNode schemas = components.putObject("schemas");
        commonSchemas(schemas);
        ObjectNode problem = components.putObject("responses").putObject("Problem");
        problem.put("description", "An error: the JSON-RPC error as a problem (RFC 9457)");
        problem.putObject("content").putObject(RestProblem.MEDIA_TYPE).putObject("schema")
                .put("$ref", "#/components/schemas/Problem");
        if (security) {
            components.putObject("securitySchemes").putObject("bearer").put("type", "http").put("scheme", "bearer")
                    .put("bearerFormat", "JWT");
            doc.putArray("security").addObject().putArray("bearer");
        }
        ArrayNode tags = doc.putArray("tags");
        tags.addObject().put("name", "tools").put("description", "One operation per tool, and the generic calls");
        tags.addObject().put("name", "resources");
        tags.addObject().put("name", "prompts");
        tags.addObject().put("name", "operations").put("description", "Asynchronous calls and their progress");
        tags.addObject().put("name", "server");
        ObjectNode paths = doc.putObject("paths");
        fixedRoutes(paths);
        if (caller != null || !security) {
            for (JsonNode tool : tools(caller)) {
                String name = tool.path("name").asText();
                if (PLAIN_NAME.matcher(name).matches() && !TAKEN.contains(name)) {
                    paths.set(base + "/tools/" + name, toolPath(tool, schemas));
                }
            }
        }
        return doc;
    }

    /** Every tool the caller may call, all pages. */
    private List<JsonNode> tools(Caller caller) {
        List<JsonNode> tools = new ArrayList<>();
        String cursor = null;
        do {
            ObjectNode params = Json.object();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            ObjectNode response = calls.call(caller, "tools/list", params);
            JsonNode result = response.get("result");
            if (result == null) {
                break; // refused (a rate limit): the fixed routes still describe the API
            }
            result.path("tools").forEach(tools::add);
            cursor = result.path("nextCursor").isTextual() ? result.path("nextCursor").asText() : null;
        } while (cursor != null && tools.size() < 100_000);
        return tools;
    }

    private ObjectNode toolPath(JsonNode tool, ObjectNode schemas) {
        String name = tool.path("name").asText();
        String key = "tool." + name;
        ObjectNode op = Json.object();
        ObjectNode item = Json.object();
        item.set("post", op);
        op.putArray("tags").add("tools");
        op.put("operationId", "tool_" + name.replaceAll("[^A-Za-z0-9_]", "_"));
        String title = tool.path("title").asText(tool.path("annotations").path("title").asText(name));
        op.put("summary", title);
        if (tool.hasNonNull("description")) {
            op.put("description", tool.get("description").asText());
        }
        JsonNode input = tool.get("inputSchema");
        schemas.set(key + ".arguments", schema(input, key, schemas));
        ObjectNode body = op.putObject("requestBody");
        body.put("required", true);
        ObjectNode content = body.putObject("content");
        content.putObject("application/json").putObject("schema").put("$ref",
                "#/components/schemas/" + key + ".arguments");
        // the same arguments as form fields and file uploads (binary parameters: contentEncoding base64)
        content.putObject("multipart/form-data").putObject("schema").put("$ref",
                "#/components/schemas/" + key + ".arguments");
        ObjectNode result;
        if (tool.get("outputSchema") instanceof ObjectNode output) {
            schemas.set(key + ".structuredContent", schema(output, key, schemas));
            result = Json.object();
            ArrayNode all = result.putArray("allOf");
            all.addObject().put("$ref", "#/components/schemas/CallToolResult");
            all.addObject().putObject("properties").putObject("structuredContent").put("$ref",
                    "#/components/schemas/" + key + ".structuredContent");
        } else {
            result = Json.object().put("$ref", "#/components/schemas/CallToolResult");
        }
        ObjectNode responses = op.putObject("responses");
        ObjectNode ok = responses.putObject("200");
        ok.put("description", "The tool's result; a tool error is a result too (isError: true)");
        ok.putObject("content").putObject("application/json").set("schema", result);
        errors(responses, "404", "413", "415", "422", "429");
        asynchronous(op);
        return item;
    }

    /**
     * A tool's schema as a component: its {@code $defs} become components of their own (a {@code #/$defs/…}
     * reference would point at the document's root), and {@code $schema} goes (the document's dialect applies).
     */
    private static JsonNode schema(JsonNode schema, String key, ObjectNode schemas) {
        if (!(schema instanceof ObjectNode object)) {
            return Json.object().put("type", "object");
        }
        ObjectNode copy = object.deepCopy();
        copy.remove("$schema");
        copy.remove("$id");
        for (String defs : List.of("$defs", "definitions")) {
            if (copy.remove(defs) instanceof ObjectNode definitions) {
                definitions.properties().forEach(e -> schemas.set(key + "." + e.getKey(),
                        rewrite(e.getValue().deepCopy(), key)));
            }
        }
        return rewrite(copy, key);
    }

    /** Points {@code #/$defs/X} and {@code #/definitions/X} at the component the definition became. */
    private static JsonNode rewrite(JsonNode node, String key) {
        if (node instanceof ObjectNode o) {
            JsonNode ref = o.get("$ref");
            if (ref != null && ref.isTextual()) {
                String r = ref.asText();
                for (String prefix : List.of("#/$defs/", "#/definitions/")) {
                    if (r.startsWith(prefix)) {
                        o.put("$ref", "#/components/schemas/" + key + "." + r.substring(prefix.length()));
                    }
                }
                if (r.equals("#")) {
                    o.put("$ref", "#/components/schemas/" + key + ".arguments");
                }
            }
            o.properties().forEach(e -> rewrite(e.getValue(), key));
        } else if (node instanceof ArrayNode a) {
            a.forEach(n -> rewrite(n, key));
        }
        return node;
    }

    private void fixedRoutes(ObjectNode paths) {
        post(paths, "/initialize", "server", "initialize", "The server's info and capabilities", null,
                ref("ServerInfo"), false);
        post(paths, "/tools/list", "tools", "listTools", "The tools you may call, a page at a time",
                ref("PageRequest"), ref("ListResult"), false);
        ObjectNode callResponses = post(paths, "/tools/call", "tools", "callTool",
                "Calls a tool by name: {\"name\": …, \"arguments\": {…}}", ref("CallToolRequest"),
                ref("CallToolResult"), true);
        errors(callResponses, "404", "413", "415", "422", "429");
        asynchronous((ObjectNode) paths.get(base + "/tools/call").get("post"));
        post(paths, "/resources/list", "resources", "listResources", "The resources you may read",
                ref("PageRequest"), ref("ListResult"), false);
        post(paths, "/resources/templates/list", "resources", "listResourceTemplates", "The resource templates",
                ref("PageRequest"), ref("ListResult"), false);
        ObjectNode readResponses = post(paths, "/resources/read", "resources", "readResource", "Reads a resource",
                objectWith("uri", "string", true), ref("ReadResourceResult"), true);
        errors(readResponses, "404");
        post(paths, "/prompts/list", "prompts", "listPrompts", "The prompts you may get", ref("PageRequest"),
                ref("ListResult"), false);
        ObjectNode promptResponses = post(paths, "/prompts/get", "prompts", "getPrompt",
                "Gets a prompt: {\"name\": …, \"arguments\": {…}}", objectWith("name", "string", true),
                ref("GetPromptResult"), true);
        errors(promptResponses, "404");
        post(paths, "/completion/complete", "prompts", "complete", "Completion of a prompt or template argument",
                Json.object().put("type", "object"), Json.object().put("type", "object"), true);
        asyncRoutes(paths);
    }

    /** A tool call may run asynchronously: {@code Prefer: respond-async} or {@code ?async=true}, then 202. */
    private static void asynchronous(ObjectNode op) {
        ArrayNode parameters = op.putArray("parameters");
        ObjectNode prefer = parameters.addObject();
        prefer.put("name", "Prefer").put("in", "header").put("required", false)
                .put("description", "respond-async: answer 202 at once and run the call as an operation; "
                        + "handling=strict: a tool error is a 422 problem instead of a 200 result");
        prefer.putObject("schema").put("type", "string");
        ObjectNode async = parameters.addObject();
        async.put("name", "async").put("in", "query").put("required", false)
                .put("description", "true: the same as Prefer: respond-async");
        async.putObject("schema").put("type", "boolean");
        ObjectNode accepted = ((ObjectNode) op.get("responses")).putObject("202");
        accepted.put("description", "Started: poll Location, or stream the progress");
        accepted.putObject("headers").putObject("Location").put("description", "the operation")
                .putObject("schema").put("type", "string");
        accepted.putObject("content").putObject("application/json").putObject("schema")
                .put("$ref", "#/components/schemas/OperationStarted");
    }

    private void asyncRoutes(ObjectNode paths) {
        ObjectNode idParam = Json.object().put("name", "id").put("in", "path").put("required", true);
        idParam.putObject("schema").put("type", "string");

        ObjectNode operation = paths.putObject(base + "/operations/{id}");
        operation.putArray("parameters").add(idParam.deepCopy());
        ObjectNode get = operation.putObject("get");
        get.putArray("tags").add("operations");
        get.put("operationId", "getOperation").put("summary", "How an asynchronous call stands; its result once done");
        ObjectNode getResponses = get.putObject("responses");
        getResponses.putObject("200").put("description", "The operation").putObject("content")
                .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Operation");
        errors(getResponses, "404");
        securityErrors(getResponses);
        ObjectNode delete = operation.putObject("delete");
        delete.putArray("tags").add("operations");
        delete.put("operationId", "cancelOperation").put("summary", "Cancels an asynchronous call");
        ObjectNode deleteResponses = delete.putObject("responses");
        deleteResponses.putObject("200").put("description", "The operation, cancelled unless it had ended")
                .putObject("content").putObject("application/json").putObject("schema")
                .put("$ref", "#/components/schemas/Operation");
        errors(deleteResponses, "404");
        securityErrors(deleteResponses);

        ObjectNode progress = paths.putObject(base + "/sse/progress/{id}");
        progress.putArray("parameters").add(idParam.deepCopy());
        ObjectNode stream = progress.putObject("get");
        stream.putArray("tags").add("operations");
        stream.put("operationId", "streamProgress").put("summary", "Server-sent events: progress and log, then "
                + "result, error or cancelled; resumable with Last-Event-ID");
        ObjectNode lastEvent = stream.putArray("parameters").addObject();
        lastEvent.put("name", "Last-Event-ID").put("in", "header").put("required", false);
        lastEvent.putObject("schema").put("type", "string");
        ObjectNode streamResponses = stream.putObject("responses");
        streamResponses.putObject("200").put("description", "An event stream").putObject("content")
                .putObject("text/event-stream").putObject("schema").put("type", "string");
        errors(streamResponses, "400", "404");
        securityErrors(streamResponses);

        ObjectNode subscriptions = paths.putObject(base + "/subscriptions").putObject("post");
        subscriptions.putArray("tags").add("resources");
        subscriptions.put("operationId", "subscribe").put("summary", "Names a resource subscription to stream");
        ObjectNode body = subscriptions.putObject("requestBody").put("required", true);
        body.putObject("content").putObject("application/json").set("schema", objectWith("uri", "string", true));
        ObjectNode subscribeResponses = subscriptions.putObject("responses");
        subscribeResponses.putObject("201").put("description", "Created").putObject("content")
                .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Subscription");
        errors(subscribeResponses, "400");
        securityErrors(subscribeResponses);

        ObjectNode subscription = paths.putObject(base + "/subscriptions/{id}");
        subscription.putArray("parameters").add(idParam.deepCopy());
        ObjectNode unsubscribe = subscription.putObject("delete");
        unsubscribe.putArray("tags").add("resources");
        unsubscribe.put("operationId", "unsubscribe").put("summary", "Ends a subscription and its streams");
        ObjectNode unsubscribeResponses = unsubscribe.putObject("responses");
        unsubscribeResponses.putObject("204").put("description", "Deleted");
        errors(unsubscribeResponses, "404");
        securityErrors(unsubscribeResponses);

        ObjectNode changes = paths.putObject(base + "/sse/subscribe").putObject("get");
        changes.putArray("tags").add("resources");
        changes.put("operationId", "streamChanges").put("summary", "Server-sent events: resources/updated for the "
                + "URIs asked for, and every list change");
        ArrayNode query = changes.putArray("parameters");
        ObjectNode uri = query.addObject().put("name", "uri").put("in", "query").put("required", false);
        uri.putObject("schema").put("type", "array").putObject("items").put("type", "string");
        ObjectNode named = query.addObject().put("name", "subscription").put("in", "query").put("required", false);
        named.putObject("schema").put("type", "string");
        ObjectNode changesResponses = changes.putObject("responses");
        changesResponses.putObject("200").put("description", "An event stream").putObject("content")
                .putObject("text/event-stream").putObject("schema").put("type", "string");
        errors(changesResponses, "404");
        securityErrors(changesResponses);
    }

    private void securityErrors(ObjectNode responses) {
        if (security) {
            errors(responses, "401", "403");
        }
    }

    /** Adds a POST route; returns its responses, for more errors. */
    private ObjectNode post(ObjectNode paths, String path, String tag, String id, String summary, JsonNode body,
                            JsonNode result, boolean bodyRequired) {
        ObjectNode item = paths.putObject(base + path);
        ObjectNode op = item.putObject("post");
        op.putArray("tags").add(tag);
        op.put("operationId", id);
        op.put("summary", summary);
        if (body != null) {
            ObjectNode b = op.putObject("requestBody");
            b.put("required", bodyRequired);
            b.putObject("content").putObject("application/json").set("schema", body);
        }
        ObjectNode responses = op.putObject("responses");
        ObjectNode ok = responses.putObject("200");
        ok.put("description", "OK");
        ok.putObject("content").putObject("application/json").set("schema", result);
        errors(responses, "400");
        if (security) {
            errors(responses, "401", "403");
        }
        return responses;
    }

    private static void errors(ObjectNode responses, String... statuses) {
        for (String status : statuses) {
            responses.putObject(status).put("$ref", PROBLEM);
        }
    }

    private static ObjectNode ref(String schema) {
        return Json.object().put("$ref", "#/components/schemas/" + schema);
    }

    private static ObjectNode objectWith(String property, String type, boolean required) {
        ObjectNode s = Json.object().put("type", "object");
        s.putObject("properties").putObject(property).put("type", type);
        if (required) {
            s.putArray("required").add(property);
        }
        return s;
    }

    private static void commonSchemas(ObjectNode schemas) {
        ObjectNode problem = schemas.putObject("Problem").put("type", "object")
                .put("description", "RFC 9457 problem details with the JSON-RPC error's code and data");
        ObjectNode pp = problem.putObject("properties");
        pp.putObject("type").put("type", "string");
        pp.putObject("title").put("type", "string");
        pp.putObject("status").put("type", "integer");
        pp.putObject("detail").put("type", "string");
        pp.putObject("code").put("type", "integer").put("description", "the JSON-RPC error code");
        pp.putObject("data").put("description", "the JSON-RPC error's data, when it has any");
        problem.putArray("required").add("status").add("detail").add("code");

        ObjectNode content = schemas.putObject("ContentBlock").put("type", "object")
                .put("description", "text, image, audio, resource_link or resource");
        content.putObject("properties").putObject("type").put("type", "string");
        content.putArray("required").add("type");

        ObjectNode result = schemas.putObject("CallToolResult").put("type", "object");
        ObjectNode rp = result.putObject("properties");
        rp.putObject("content").put("type", "array").putObject("items").put("$ref",
                "#/components/schemas/ContentBlock");
        rp.putObject("structuredContent").put("type", "object");
        rp.putObject("isError").put("type", "boolean");
        result.putArray("required").add("content");

        ObjectNode call = schemas.putObject("CallToolRequest").put("type", "object");
        ObjectNode cp = call.putObject("properties");
        cp.putObject("name").put("type", "string");
        cp.putObject("arguments").put("type", "object");
        call.putArray("required").add("name");

        schemas.putObject("PageRequest").put("type", "object").putObject("properties").putObject("cursor")
                .put("type", "string");
        ObjectNode list = schemas.putObject("ListResult").put("type", "object")
                .put("description", "tools, resources, resourceTemplates or prompts, and nextCursor when there is more");
        list.putObject("properties").putObject("nextCursor").put("type", "string");
        schemas.putObject("ServerInfo").put("type", "object").putObject("properties").putObject("capabilities")
                .put("type", "object");
        ObjectNode started = schemas.putObject("OperationStarted").put("type", "object");
        ObjectNode sp = started.putObject("properties");
        sp.putObject("operationId").put("type", "string");
        sp.putObject("status").put("type", "string");
        sp.putObject("location").put("type", "string");
        sp.putObject("progress").put("type", "string");
        started.putArray("required").add("operationId").add("status");
        ObjectNode operation = schemas.putObject("Operation").put("type", "object");
        ObjectNode op = operation.putObject("properties");
        op.putObject("operationId").put("type", "string");
        op.putObject("status").put("type", "string").putArray("enum").add("working").add("input_required")
                .add("completed").add("failed").add("cancelled");
        op.putObject("statusMessage").put("type", "string");
        op.putObject("createdAt").put("type", "string").put("format", "date-time");
        op.putObject("lastUpdatedAt").put("type", "string").put("format", "date-time");
        op.putObject("ttlMs").put("type", "integer");
        op.putObject("pollIntervalMs").put("type", "integer");
        op.putObject("progress").put("type", "object");
        op.putObject("result").put("$ref", "#/components/schemas/CallToolResult");
        op.putObject("error").put("$ref", "#/components/schemas/Problem");
        operation.putArray("required").add("operationId").add("status");
        ObjectNode subscription = schemas.putObject("Subscription").put("type", "object");
        ObjectNode subp = subscription.putObject("properties");
        subp.putObject("subscriptionId").put("type", "string");
        subp.putObject("uri").put("type", "string");
        subp.putObject("stream").put("type", "string");
        subscription.putArray("required").add("subscriptionId").add("uri");
        ObjectNode read = schemas.putObject("ReadResourceResult").put("type", "object");
        read.putObject("properties").putObject("contents").put("type", "array").putObject("items").put("type",
                "object");
        read.putArray("required").add("contents");
        ObjectNode prompt = schemas.putObject("GetPromptResult").put("type", "object");
        prompt.putObject("properties").putObject("messages").put("type", "array").putObject("items").put("type",
                "object");
        prompt.putArray("required").add("messages");
    }
}
