package io.mcpserver.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one place every transport hands its messages to: JSON-RPC classification, method routing,
 * the lifecycle rule (initialize first), errors, in-flight tracking and cancellation.
 * Rules that must hold on every transport live here.
 */
public final class Dispatcher {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    /** Methods a legacy client may send before {@code initialize}. */
    private static final Set<String> BEFORE_INITIALIZE = Set.of("initialize", "ping");

    private final Map<String, MethodHandler> methods = new HashMap<>();
    private final ProtocolSettings settings;
    private final ClientRequester requester;

    public Dispatcher(ProtocolSettings settings) {
        this.settings = settings;
        this.requester = new ClientRequester(settings.clientRequestTimeout());
    }

    public Dispatcher register(String method, MethodHandler handler) {
        methods.put(method, handler);
        return this;
    }

    public ProtocolSettings settings() {
        return settings;
    }

    public ClientRequester requester() {
        return requester;
    }

    /**
     * For connection transports: parses one message and handles it. Responses and notifications are
     * handled at once, in order; each request runs on a virtual thread of its own, so a slow tool never
     * holds up the connection.
     */
    public void accept(Session session, String raw, MessageSink sink) {
        JsonNode message;
        try {
            message = Json.parse(raw);
        } catch (JsonProcessingException e) {
            LOG.log(System.Logger.Level.INFO, session + ": unparseable message: " + e.getOriginalMessage());
            sink.send(JsonRpc.error(NullNode.getInstance(), ErrorCodes.PARSE_ERROR,
                    "Parse error: " + e.getOriginalMessage(), null));
            return;
        }
        accept(session, message, sink);
    }

    public void accept(Session session, JsonNode message, MessageSink sink) {
        if (JsonRpc.kind(message) == JsonRpc.Kind.REQUEST && !"initialize".equals(message.path("method").asText())) {
            Thread.ofVirtual().name("mcp-" + session.clientId() + "-" + message.get("id").asText())
                    .start(() -> handle(session, message, sink));
        } else {
            handle(session, message, sink);
        }
    }

    /** Handles one parsed message; for a request, returns once its response has been sent (or it was cancelled). */
    public void handle(Session session, JsonNode message, MessageSink sink) {
        session.touch();
        switch (JsonRpc.kind(message)) {
            case REQUEST -> handleRequest(session, (ObjectNode) message, sink);
            case NOTIFICATION -> handleNotification(session, message);
            case RESPONSE -> {
                if (!session.completeClientRequest(message)) {
                    LOG.log(System.Logger.Level.DEBUG, session + ": response to unknown request id " + message.get("id"));
                }
            }
            case INVALID -> {
                if (message != null && message.isArray()) {
                    sink.send(JsonRpc.error(NullNode.getInstance(), ErrorCodes.INVALID_REQUEST,
                            "Invalid Request: JSON-RPC batches are not supported; send one message at a time", null));
                } else {
                    sink.send(JsonRpc.error(JsonRpc.idOrNull(message), ErrorCodes.INVALID_REQUEST,
                            "Invalid Request: expected a JSON-RPC 2.0 request, notification or response "
                                    + "(\"jsonrpc\": \"2.0\", a string \"method\", a string or integer \"id\")", null));
                }
            }
        }
    }

    private void handleNotification(Session session, JsonNode message) {
        String method = message.get("method").asText();
        JsonNode params = message.path("params");
        switch (method) {
            case "notifications/initialized" -> session.markInitialized();
            case "notifications/cancelled" -> {
                JsonNode id = params.get("requestId");
                if (JsonRpc.validId(id)) {
                    String reason = Json.text(params, "reason");
                    session.cancel(Session.idKey(id), reason == null ? "cancelled by the client" : reason);
                }
            }
            default -> LOG.log(System.Logger.Level.DEBUG, session + ": notification " + method);
        }
    }

    private void handleRequest(Session session, ObjectNode message, MessageSink sink) {
        JsonNode id = message.get("id");
        String method = message.get("method").asText();
        JsonNode params = message.get("params");
        if (params != null && !params.isObject() && !params.isNull()) {
            sink.send(JsonRpc.error(id, ErrorCodes.INVALID_PARAMS, "params must be an object", null));
            return;
        }
        if (!session.isNegotiated() && !BEFORE_INITIALIZE.contains(method)) {
            sink.send(JsonRpc.error(id, ErrorCodes.INVALID_REQUEST,
                    "Session not initialized: send 'initialize' before '" + method + "'", null));
            return;
        }
        MethodHandler handler = methods.get(method);
        if (handler == null) {
            sink.send(JsonRpc.error(id, ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method, null));
            return;
        }
        if (session.inFlightCount() >= settings.maxInFlight()) {
            sink.send(JsonRpc.error(id, ErrorCodes.LIMIT_EXCEEDED, "Too many concurrent requests on this session (limit "
                    + settings.maxInFlight() + "); wait for some to finish", null));
            return;
        }
        InFlightRequest inFlight = session.begin(Session.idKey(id));
        if (inFlight == null) {
            sink.send(JsonRpc.error(id, ErrorCodes.INVALID_REQUEST, "Request id " + id + " is already in use", null));
            return;
        }
        try {
            JsonNode progressToken = params == null ? null : params.path("_meta").get("progressToken");
            CallContext context = new CallContext(session, inFlight, sink, progressToken, requester);
            JsonNode result = handler.handle(new Request(session, id, method, params, context));
            if (!inFlight.isCancelled()) {
                sink.send(JsonRpc.result(id, result));
            }
        } catch (McpException e) {
            if (!inFlight.isCancelled()) {
                sink.send(JsonRpc.error(id, e));
            }
        } catch (InterruptedException e) {
            if (!inFlight.isCancelled()) {
                LOG.log(System.Logger.Level.WARNING, session + ": " + method + " interrupted without cancellation");
                sink.send(JsonRpc.error(id, ErrorCodes.INTERNAL_ERROR, "Internal error: request interrupted", null));
            }
        } catch (Exception | LinkageError | StackOverflowError e) {
            if (inFlight.isCancelled()) {
                return;
            }
            LOG.log(System.Logger.Level.ERROR, session + ": internal error in " + method, e);
            sink.send(JsonRpc.error(id, ErrorCodes.INTERNAL_ERROR, "Internal error while handling " + method
                    + "; the server log has the details", null));
        } finally {
            session.end(inFlight);
            Thread.interrupted(); // never leak a cancellation interrupt to the transport's thread
        }
    }
}
