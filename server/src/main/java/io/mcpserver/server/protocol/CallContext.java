package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.Root;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.client.UnsupportedByClientException;
import io.mcpserver.spi.tools.ToolContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The context of one request as plugin code sees it. Progress, logs and server→client requests go to
 * the request's own sink, so over Streamable HTTP they travel on the call's response stream.
 */
public class CallContext implements ToolContext {

    private final Session session;
    private final InFlightRequest request;
    private final MessageSink sink;
    private final JsonNode progressToken;
    private final ClientRequester requester;
    private double lastProgress = Double.NEGATIVE_INFINITY;

    public CallContext(Session session, InFlightRequest request, MessageSink sink, JsonNode progressToken,
                       ClientRequester requester) {
        this.session = session;
        this.request = request;
        this.sink = sink;
        this.progressToken = progressToken;
        this.requester = requester;
    }

    public Session session() {
        return session;
    }

    public InFlightRequest request() {
        return request;
    }

    public MessageSink sink() {
        return sink;
    }

    @Override
    public Caller caller() {
        return session.caller();
    }

    @Override
    public boolean isCancelled() {
        return request.isCancelled();
    }

    @Override
    public void onCancel(Runnable action) {
        request.onCancel(action);
    }

    @Override
    public void log(LogLevel level, String logger, Object data) {
        LogLevel threshold = session.logLevel();
        if (threshold == null || level.compareTo(threshold) < 0 || request.isCancelled()) {
            return;
        }
        ObjectNode params = Json.object();
        params.put("level", level.wireName());
        if (logger != null) {
            params.put("logger", logger);
        }
        params.set("data", Json.toTree(data));
        sink.send(JsonRpc.notification("notifications/message", params));
    }

    @Override
    public synchronized void progress(double progress, Double total, String message) {
        // The spec requires increasing values; drop a report that would go backwards.
        if (progressToken == null || request.isCancelled() || progress <= lastProgress) {
            return;
        }
        lastProgress = progress;
        ObjectNode params = Json.object();
        params.set("progressToken", progressToken);
        params.put("progress", progress);
        if (total != null) {
            params.put("total", total);
        }
        if (message != null && session.protocolVersion() != null
                && session.protocolVersion().atLeast(ProtocolVersion.V2025_03_26)) {
            params.put("message", message);
        }
        sink.send(JsonRpc.notification("notifications/progress", params));
    }

    @Override
    public boolean clientSupports(ClientFeature feature) {
        return session.clientHas(capabilityName(feature));
    }

    @Override
    public SamplingResult sample(SamplingRequest samplingRequest) throws InterruptedException {
        require(ClientFeature.SAMPLING);
        ObjectNode params = Json.object();
        ArrayNode messages = params.putArray("messages");
        for (SamplingRequest.Message m : samplingRequest.messages()) {
            ObjectNode mn = messages.addObject();
            mn.put("role", m.role().wireName());
            mn.set("content", WireFormat.content(m.content()));
        }
        if (samplingRequest.systemPrompt() != null) {
            params.put("systemPrompt", samplingRequest.systemPrompt());
        }
        params.put("maxTokens", samplingRequest.maxTokens());
        if (samplingRequest.temperature() != null) {
            params.put("temperature", samplingRequest.temperature());
        }
        if (samplingRequest.modelPreferences() != null) {
            params.set("modelPreferences", Json.toTree(samplingRequest.modelPreferences()));
        }
        if (samplingRequest.extra() != null) {
            samplingRequest.extra().forEach((k, v) -> params.set(k, Json.toTree(v)));
        }
        JsonNode result = ask("sampling/createMessage", params);
        return new SamplingResult(WireFormat.role(Json.text(result, "role")),
                WireFormat.parseContent(result.path("content")), Json.text(result, "model"),
                Json.text(result, "stopReason"));
    }

    @Override
    public ElicitationResult elicit(String message, Map<String, Object> requestedSchema) throws InterruptedException {
        require(ClientFeature.ELICITATION);
        ObjectNode params = Json.object();
        if (session.protocolVersion() != null && session.protocolVersion().atLeast(ProtocolVersion.V2025_11_25)) {
            params.put("mode", "form");
        }
        params.put("message", message);
        params.set("requestedSchema", Json.toTree(requestedSchema));
        JsonNode result = ask("elicitation/create", params);
        return new ElicitationResult(Json.text(result, "action"), Json.toMap(result.get("content")));
    }

    @Override
    public List<Root> roots() throws InterruptedException {
        require(ClientFeature.ROOTS);
        JsonNode result = ask("roots/list", Json.object());
        List<Root> roots = new ArrayList<>();
        for (JsonNode r : result.path("roots")) {
            roots.add(new Root(Json.text(r, "uri"), Json.text(r, "name")));
        }
        return roots;
    }

    /** Hook for the stateless era, where the server cannot send requests and must return input_required instead. */
    protected JsonNode ask(String method, ObjectNode params) throws InterruptedException {
        return requester.request(session, sink, method, params);
    }

    private void require(ClientFeature feature) {
        if (!clientSupports(feature)) {
            throw new UnsupportedByClientException(feature);
        }
    }

    static String capabilityName(ClientFeature feature) {
        return switch (feature) {
            case SAMPLING -> "sampling";
            case ELICITATION -> "elicitation";
            case ROOTS -> "roots";
        };
    }
}
