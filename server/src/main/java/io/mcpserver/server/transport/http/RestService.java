package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.config.HttpSettings;
import io.mcpserver.server.config.RestSettings;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The REST facade: plain JSON routes under {@code rest.path} for clients that cannot speak JSON-RPC sessions
 * (curl, web front-ends, workflow engines, platforms that import OpenAPI actions). Each route is framing only:
 * Origin and credential as on {@code /mcp}, the body read within {@code transports.http.max-message-size}, then one
 * request to the dispatcher through {@link RestCalls}; answers are the result itself, errors
 * {@code application/problem+json}. A tool error is a result (200, {@code isError: true}).
 */
final class RestService implements HttpService {

    static final String METHODS = "GET, POST, DELETE, OPTIONS";

    private final RestCalls calls;
    private final HttpSettings http;
    private final RestSettings settings;
    private final RequestGuard guard;
    private final BearerGuard bearer;
    private final RestOpenApi openApi;
    private final RestOperations operations;
    private final RestSubscriptions subscriptions;
    private final boolean security;

    /** @param security whether the edge requires a credential (the OpenAPI document then declares it) */
    RestService(RestCalls calls, HttpSettings http, RestSettings settings, RequestGuard guard, BearerGuard bearer,
                boolean security) {
        this.calls = calls;
        this.http = http;
        this.settings = settings;
        this.guard = guard;
        this.bearer = bearer;
        this.security = security;
        this.openApi = new RestOpenApi(calls, settings.path(), security);
        this.operations = new RestOperations(calls, http.replayBufferSize());
        this.subscriptions = new RestSubscriptions(calls, calls.core().settings().maxSubscriptions(),
                http.sessionIdleTimeout(), System::nanoTime);
    }

    @Override
    public void routing(HttpRules rules) {
        String p = settings.path();
        rules.options(p + "/*", (req, res) -> guard.preflight(req, res, METHODS, RestProblem::send))
                .post(p + "/initialize", (req, res) -> forward(req, res, "server/discover", null))
                .post(p + "/tools/list", (req, res) -> forward(req, res, "tools/list", null))
                .post(p + "/tools/call", this::toolsCall)
                .post(p + "/tools/{name}", this::tool)
                .post(p + "/resources/list", (req, res) -> forward(req, res, "resources/list", null))
                .post(p + "/resources/templates/list", (req, res) -> forward(req, res, "resources/templates/list",
                        null))
                .post(p + "/resources/read", (req, res) -> forward(req, res, "resources/read",
                        params -> params.path("uri").isTextual()
                                && calls.core().features().resolveResource(params.path("uri").asText()).isEmpty()))
                .post(p + "/prompts/list", (req, res) -> forward(req, res, "prompts/list", null))
                .post(p + "/prompts/get", (req, res) -> forward(req, res, "prompts/get",
                        params -> params.path("name").isTextual()
                                && calls.core().features().prompt(params.path("name").asText()).isEmpty()))
                .post(p + "/completion/complete", (req, res) -> forward(req, res, "completion/complete", null))
                .get(p + "/operations/{id}", this::getOperation)
                .delete(p + "/operations/{id}", this::cancelOperation)
                .get(p + "/sse/progress/{id}", this::progress)
                .post(p + "/subscriptions", this::subscribe)
                .delete(p + "/subscriptions/{id}", this::unsubscribe)
                .get(p + "/sse/subscribe", this::changes)
                .get("/openapi.json", (req, res) -> openApi(req, res, false))
                .get("/openapi.yaml", (req, res) -> openApi(req, res, true))
                .options("/openapi.json", (req, res) -> guard.preflight(req, res, "GET, OPTIONS", RestProblem::send))
                .options("/openapi.yaml", (req, res) -> guard.preflight(req, res, "GET, OPTIONS", RestProblem::send));
    }

    /**
     * The OpenAPI document for this caller. With security on, a request without a token gets the fixed routes
     * only (Swagger UI and importers fetch it before they have a token); a bad token is 401 as anywhere.
     */
    private void openApi(ServerRequest req, ServerResponse res, boolean yaml) throws IOException {
        if (!guard.admit(req, res, RestProblem::send)) {
            return;
        }
        Caller caller = null;
        if (!security || req.headers().contains(HeaderNames.AUTHORIZATION)) {
            caller = bearer.authenticate(req, res, RestCalls.TRANSPORT, RestProblem::send);
            if (caller == null) {
                return;
            }
        }
        ObjectNode doc = openApi.document(caller, BearerGuard.origin(req));
        res.header(HeaderNames.CACHE_CONTROL, "no-store"); // it depends on the caller and on the plugins loaded
        if (yaml) {
            res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
            res.send(YamlMapper.INSTANCE.writeValueAsBytes(doc));
        } else {
            Replies.json(res, Status.OK_200, doc);
        }
    }

    /** Made on the first request for the YAML document, not while the listener is built at start-up. */
    private static final class YamlMapper {
        static final com.fasterxml.jackson.databind.ObjectMapper INSTANCE =
                new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    }

    /** The last routes: anything else under the path is 404 (or 405 for a known route), as problem+json. */
    void fallback(HttpRules rules) {
        rules.any(settings.path() + "/*", (req, res) -> {
            if (!guard.admit(req, res, RestProblem::send)) {
                return;
            }
            String route = req.path().path().substring(settings.path().length());
            for (Map.Entry<java.util.regex.Pattern, String> known : ROUTES.entrySet()) {
                if (known.getKey().matcher(route).matches()) {
                    res.header(HeaderNames.ALLOW, known.getValue() + ", OPTIONS");
                    RestProblem.send(res, Status.METHOD_NOT_ALLOWED_405, ErrorCodes.INVALID_REQUEST,
                            "Method Not Allowed: " + req.path().path() + " takes " + known.getValue());
                    return;
                }
            }
            RestProblem.send(res, Status.NOT_FOUND_404, ErrorCodes.METHOD_NOT_FOUND, "Not Found: no REST route "
                    + req.prologue().method().text() + " " + req.path().path() + "; see /openapi.json");
        });
    }

    /** The routes under the path, by shape, and the methods each takes: a wrong method is 405, not 404. */
    private static final Map<java.util.regex.Pattern, String> ROUTES = Map.of(
            java.util.regex.Pattern.compile("/(initialize|tools/[^/]+|resources/(list|read|templates/list)"
                    + "|prompts/(list|get)|completion/complete|subscriptions)"), "POST",
            java.util.regex.Pattern.compile("/operations/[^/]+"), "GET, DELETE",
            java.util.regex.Pattern.compile("/sse/progress/[^/]+|/sse/subscribe"), "GET",
            java.util.regex.Pattern.compile("/subscriptions/[^/]+"), "DELETE");

    /**
     * A route that is one MCP method whose params are the body.
     *
     * @param notFound tells, for a request refused with invalid params, whether the thing it names does not exist
     *                 (404 rather than 400); null when the method names nothing
     */
    private void forward(ServerRequest req, ServerResponse res, String method, Predicate<ObjectNode> notFound)
            throws IOException {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        ObjectNode params = jsonBody(req, res);
        if (params == null) {
            return;
        }
        answer(req, res, calls.call(caller, method, params), notFound != null && notFound.test(params));
    }

    /** {@code POST tools/call}: {@code {"name": …, "arguments": {…}}}. */
    private void toolsCall(ServerRequest req, ServerResponse res) throws IOException {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        ObjectNode params = jsonBody(req, res);
        if (params == null) {
            return;
        }
        JsonNode name = params.get("name");
        if (name == null || !name.isTextual()) {
            RestProblem.send(res, Status.BAD_REQUEST_400, ErrorCodes.INVALID_PARAMS,
                    "tools/call needs a string 'name' (and an object 'arguments'), e.g. {\"name\": \"echo\", "
                            + "\"arguments\": {\"text\": \"hi\"}}");
            return;
        }
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            RestProblem.send(res, Status.BAD_REQUEST_400, ErrorCodes.INVALID_PARAMS,
                    "tools/call: 'arguments' must be an object");
            return;
        }
        callTool(req, res, caller, name.asText(), arguments instanceof ObjectNode o ? o : Json.object());
    }

    /** {@code POST tools/{name}}: one operation per tool, the body is the arguments. */
    private void tool(ServerRequest req, ServerResponse res) throws IOException {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        String name = req.path().pathParameters().get("name");
        String type = Replies.header(req, HeaderNames.CONTENT_TYPE);
        ObjectNode arguments = RestMultipart.is(type) ? multipartBody(req, res, name, type) : jsonBody(req, res);
        if (arguments == null) {
            return;
        }
        callTool(req, res, caller, name, arguments);
    }

    private void callTool(ServerRequest req, ServerResponse res, Caller caller, String name, ObjectNode arguments) {
        ObjectNode params = Json.object();
        params.put("name", name);
        params.set("arguments", arguments);
        if (async(req)) {
            started(req, res, operations.start(caller, "tools/call", params),
                    calls.core().features().tool(name).isEmpty());
            return;
        }
        ObjectNode response = calls.call(caller, "tools/call", params);
        Optional<FeatureRegistry.RegisteredTool> tool = calls.core().features().tool(name);
        if (response.has("error")) {
            answer(req, res, response, tool.isEmpty());
            return;
        }
        ObjectNode result = RestCalls.plain(response.get("result"));
        if (result.path("isError").asBoolean(false)) {
            Optional<String> invalid = tool.flatMap(t -> t.validator().validate(arguments));
            if (invalid.isPresent()) { // arguments the tool's inputSchema refuses: the caller's mistake, a 4xx
                ObjectNode data = Json.object();
                data.set("result", result);
                RestProblem.send(res, Status.create(422, "Unprocessable Content"), ErrorCodes.INVALID_PARAMS,
                        "Invalid arguments for tool '" + name + "': " + invalid.get(), data);
                return;
            }
            if (strict(req)) { // the caller asked for tool errors as errors
                ObjectNode data = Json.object();
                data.set("result", result);
                res.header(HeaderNames.create("Preference-Applied"), "handling=strict");
                RestProblem.send(res, Status.create(422, "Unprocessable Content"), ErrorCodes.INTERNAL_ERROR,
                        "Tool '" + name + "' reported an error: " + firstText(result), data);
                return;
            }
        }
        Replies.json(res, Status.OK_200, result);
    }

    // ---- asynchronous calls ----------------------------------------------------------------------------------

    /** {@code Prefer: respond-async} (RFC 7240) or {@code ?async=true}: answer 202 at once, the call runs as a task. */
    private static boolean async(ServerRequest req) {
        return prefers(req, "respond-async") || "true".equalsIgnoreCase(req.query().first("async").orElse(""));
    }

    private static boolean prefers(ServerRequest req, String preference) {
        return req.headers().all(HeaderNames.create("Prefer"), java.util.List::of).stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .anyMatch(v -> v.trim().toLowerCase(Locale.ROOT).replace(" ", "").startsWith(preference));
    }

    /** 202 with the operation's id, {@code Location} (where to poll it) and where its progress streams. */
    private void started(ServerRequest req, ServerResponse res, ObjectNode response, boolean notFound) {
        if (response.has("error")) {
            problem(req, res, response, notFound);
            return;
        }
        ObjectNode body = (ObjectNode) response.get("result");
        String id = body.path("operationId").asText();
        String location = settings.path() + "/operations/" + id;
        body.put("location", location);
        body.put("progress", settings.path() + "/sse/progress/" + id);
        res.header(HeaderNames.LOCATION, location);
        res.header(HeaderNames.create("Preference-Applied"), "respond-async");
        Replies.json(res, Status.ACCEPTED_202, body);
    }

    /** {@code GET operations/{id}}: how the operation stands; its result or error once it has ended. */
    private void getOperation(ServerRequest req, ServerResponse res) {
        Caller caller = admit(req, res);
        if (caller != null) {
            answer(req, res, operations.get(caller, req.path().pathParameters().get("id")), true);
        }
    }

    /** {@code DELETE operations/{id}}: cancels it (a finished one keeps its outcome). */
    private void cancelOperation(ServerRequest req, ServerResponse res) {
        Caller caller = admit(req, res);
        if (caller != null) {
            answer(req, res, operations.cancel(caller, req.path().pathParameters().get("id")), true);
        }
    }

    /** {@code GET sse/progress/{id}}: the operation's progress, then its result, as SSE; resumable. */
    private void progress(ServerRequest req, ServerResponse res) throws IOException {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        ObjectNode response = operations.get(caller, id); // its owner only: anyone else is told it does not exist
        if (response.has("error")) {
            problem(req, res, response, true);
            return;
        }
        long last = 0;
        String resume = Replies.header(req, Replies.LAST_EVENT_ID);
        if (resume != null) {
            try {
                last = Math.max(0, Long.parseLong(resume));
            } catch (NumberFormatException e) {
                RestProblem.send(res, Status.BAD_REQUEST_400, ErrorCodes.INVALID_REQUEST,
                        "Last-Event-ID must be the id of an event of this stream (a number), was '" + resume + "'");
                return;
            }
        }
        try (SseWriter out = SseWriter.open(res)) {
            // the headers go now (a stream may be quiet for long), with the reconnection delay for EventSource
            out.write("retry: " + http.sseRetry().toMillis() + "\n\n");
            operations.stream(id, (ObjectNode) response.get("result"), last, out, http.sseKeepAlive());
        } catch (IOException | java.io.UncheckedIOException e) {
            // the client went away; the operation goes on (it is a task), and the client may resume
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- subscriptions ---------------------------------------------------------------------------------------

    /** {@code POST subscriptions} {@code {"uri": …}}: a named subscription to stream with {@code sse/subscribe}. */
    private void subscribe(ServerRequest req, ServerResponse res) throws IOException {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        ObjectNode body = jsonBody(req, res);
        if (body == null) {
            return;
        }
        if (!body.path("uri").isTextual() || body.path("uri").asText().isBlank()) {
            RestProblem.send(res, Status.BAD_REQUEST_400, ErrorCodes.INVALID_PARAMS,
                    "subscriptions needs a string 'uri': the resource to be told about, e.g. {\"uri\": \"demo://counter\"}");
            return;
        }
        String uri = body.path("uri").asText();
        String id;
        try {
            id = subscriptions.create(caller, uri);
        } catch (RestSubscriptions.TooManySubscriptions e) {
            RestProblem.send(res, Status.TOO_MANY_REQUESTS_429, ErrorCodes.LIMIT_EXCEEDED, "You already hold "
                    + e.max + " subscriptions, the most allowed (limits.max-subscriptions-per-session); "
                    + "delete one first");
            return;
        }
        ObjectNode created = Json.object();
        created.put("subscriptionId", id);
        created.put("uri", uri);
        created.put("stream", settings.path() + "/sse/subscribe?subscription=" + id);
        res.header(HeaderNames.LOCATION, settings.path() + "/subscriptions/" + id);
        Replies.json(res, Status.CREATED_201, created);
    }

    /** {@code DELETE subscriptions/{id}}: ends it and any stream of it. */
    private void unsubscribe(ServerRequest req, ServerResponse res) {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        if (!subscriptions.delete(caller, id)) {
            RestProblem.send(res, Status.NOT_FOUND_404, ErrorCodes.INVALID_PARAMS, "Unknown subscription '"
                    + id + "': it never existed, belongs to someone else, or was deleted");
            return;
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * {@code GET sse/subscribe?uri=…&subscription=…}: {@code resources/updated} for those resources and every
     * list change, as SSE, until the client goes away, the subscription is deleted or the server stops.
     */
    private void changes(ServerRequest req, ServerResponse res) {
        Caller caller = admit(req, res);
        if (caller == null) {
            return;
        }
        java.util.List<String> uris = new java.util.ArrayList<>(req.query().all("uri", java.util.List::of));
        String subscription = req.query().first("subscription").orElse(null);
        if (subscription != null) {
            String uri = subscriptions.uri(caller, subscription).orElse(null);
            if (uri == null) {
                RestProblem.send(res, Status.NOT_FOUND_404, ErrorCodes.INVALID_PARAMS, "Unknown subscription '"
                        + subscription + "': create one with POST " + settings.path() + "/subscriptions");
                return;
            }
            uris.add(uri);
        }
        subscriptions.stream(caller, uris, subscription, response -> problem(req, res, response, false),
                () -> SseWriter.open(res), http.sseKeepAlive());
    }

    /** {@code Prefer: handling=strict} (RFC 7240): a tool error is answered 422 instead of a 200 result. */
    private static boolean strict(ServerRequest req) {
        return prefers(req, "handling=strict");
    }

    private static String firstText(JsonNode result) {
        for (JsonNode c : result.path("content")) {
            if ("text".equals(c.path("type").asText())) {
                return c.path("text").asText();
            }
        }
        return "(no text)";
    }

    // ---- framing shared by every route ---------------------------------------------------------------------

    /** Origin/Host and the credential: the caller, or null after the refusal was answered (403, 401, 429). */
    Caller admit(ServerRequest req, ServerResponse res) {
        if (!guard.admit(req, res, RestProblem::send)) {
            return null;
        }
        return bearer.authenticate(req, res, RestCalls.TRANSPORT, RestProblem::send);
    }

    /**
     * The body as a JSON object ({@code {}} when empty), or null after answering 415 (not JSON), 413 (over
     * {@code transports.http.max-message-size}) or 400 (malformed, or not an object).
     */
    ObjectNode jsonBody(ServerRequest req, ServerResponse res) throws IOException {
        if (!Replies.isJsonContent(req)) {
            RestProblem.send(res, Status.UNSUPPORTED_MEDIA_TYPE_415, ErrorCodes.INVALID_REQUEST,
                    "Unsupported Media Type: send the body as application/json (or, to a tool's operation, as "
                            + "multipart/form-data)");
            return null;
        }
        byte[] bytes;
        try {
            bytes = Replies.body(req, http.maxMessageSize());
        } catch (Replies.TooLarge e) {
            RestProblem.send(res, Status.REQUEST_ENTITY_TOO_LARGE_413, ErrorCodes.INVALID_REQUEST, e.getMessage()
                    + " (transports.http.max-message-size)");
            return null;
        }
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return Json.object();
        }
        JsonNode body;
        try {
            body = Json.parse(bytes);
        } catch (JsonProcessingException e) {
            RestProblem.send(res, Status.BAD_REQUEST_400, ErrorCodes.PARSE_ERROR, "Malformed JSON: "
                    + e.getOriginalMessage());
            return null;
        }
        if (!(body instanceof ObjectNode object)) {
            RestProblem.send(res, Status.BAD_REQUEST_400, ErrorCodes.INVALID_REQUEST,
                    "The body must be a JSON object, was " + body.getNodeType().toString().toLowerCase(Locale.ROOT));
            return null;
        }
        return object;
    }

    /**
     * A multipart body's parts as the tool's arguments (typed by its input schema), or null after answering 413
     * (over {@code transports.http.max-message-size}) or 400 (not well-formed, or a part that does not fit).
     */
    private ObjectNode multipartBody(ServerRequest req, ServerResponse res, String tool, String type)
            throws IOException {
        byte[] bytes;
        try {
            bytes = Replies.body(req, http.maxMessageSize());
        } catch (Replies.TooLarge e) {
            RestProblem.send(res, Status.REQUEST_ENTITY_TOO_LARGE_413, ErrorCodes.INVALID_REQUEST, e.getMessage()
                    + " (transports.http.max-message-size; uploads count in full)");
            return null;
        }
        java.util.Map<String, Object> schema = calls.core().features().tool(tool)
                .map(t -> t.tool().descriptor().inputSchema()).orElse(java.util.Map.of());
        try {
            return RestMultipart.arguments(type, bytes, schema);
        } catch (RestMultipart.Invalid e) {
            RestProblem.send(res, Status.BAD_REQUEST_400, ErrorCodes.INVALID_PARAMS, "Bad multipart/form-data: "
                    + e.getMessage());
            return null;
        }
    }

    /** A JSON-RPC response as REST: the plain result (200), or a problem with the status the error calls for. */
    void answer(ServerRequest req, ServerResponse res, ObjectNode response, boolean notFound) {
        JsonNode error = response.get("error");
        if (error == null) {
            Replies.json(res, Status.OK_200, RestCalls.plain(response.get("result")));
            return;
        }
        problem(req, res, response, notFound);
    }

    /** A refusal or error as problem+json: 403 and 429 with their challenge and Retry-After, as on {@code /mcp}. */
    void problem(ServerRequest req, ServerResponse res, ObjectNode response, boolean notFound) {
        JsonNode error = response.get("error");
        int code = error.path("code").asInt(ErrorCodes.INTERNAL_ERROR);
        Status status = bearer.status(req, res, response); // sets WWW-Authenticate / Retry-After
        if (status == Status.OK_200) {
            status = notFound && code == ErrorCodes.INVALID_PARAMS ? Status.NOT_FOUND_404 : RestProblem.status(code);
        }
        if (status == Status.SERVICE_UNAVAILABLE_503) {
            res.header(HeaderNames.RETRY_AFTER, "1");
        }
        RestProblem.send(res, status, code, error.path("message").asText(), error.get("data"));
    }
}
