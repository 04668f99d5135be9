package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.InputRequest;
import io.mcpserver.spi.client.InputResponses;
import io.mcpserver.spi.client.Root;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.client.UnsupportedByClientException;
import io.mcpserver.spi.tools.ToolContext;
import io.mcpserver.spi.trace.TraceSpan;

import java.util.concurrent.locks.ReentrantLock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    private final ReentrantLock progressLock = new ReentrantLock();
    private RequestTracing.Trace trace = RequestTracing.Trace.NONE; // set before plugin code runs, on its thread

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

    /** The request's trace: plugin spans open inside it. */
    void traced(RequestTracing.Trace requestTrace) {
        this.trace = requestTrace;
    }

    @Override
    public TraceSpan startSpan(String name) {
        return trace.startSpan(name);
    }

    /** The request's trace, for the run of a task it creates (a child span that outlives the request). */
    RequestTracing.Trace trace() {
        return trace;
    }

    /** The id of the task whose run this is; null for a request (including one that creates a task). */
    public String taskId() {
        return null;
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
    public void progress(double progress, Double total, String message) {
        // The spec requires increasing values; drop a report that would go backwards. The check and the send are
        // one step (a tool may report from several threads); a lock, not synchronized: a send can block on I/O,
        // and a virtual thread blocked inside synchronized pins its carrier on JDK 21.
        progressLock.lock();
        try {
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
        } finally {
            progressLock.unlock();
        }
    }

    @Override
    public boolean clientSupports(ClientFeature feature) {
        if (feature == ClientFeature.ELICITATION_URL) {
            JsonNode elicitation = session.clientCapability("elicitation");
            return elicitation != null && elicitation.has("url");
        }
        return session.clientHas(capabilityName(feature));
    }

    @Override
    public SamplingResult sample(SamplingRequest samplingRequest) throws InterruptedException {
        return askOne(InputRequest.sample(samplingRequest)).sampling(SINGLE);
    }

    @Override
    public ElicitationResult elicit(String message, Map<String, Object> requestedSchema) throws InterruptedException {
        return askOne(InputRequest.elicit(message, requestedSchema)).elicitation(SINGLE);
    }

    @Override
    public List<Root> roots() throws InterruptedException {
        return askOne(InputRequest.roots()).roots(SINGLE);
    }

    @Override
    public InputResponses ask(Map<String, InputRequest> requests) throws InterruptedException {
        if (requests.isEmpty()) {
            return new InputResponses(Map.of());
        }
        Map<String, Ask> asks = new LinkedHashMap<>();
        for (Map.Entry<String, InputRequest> e : requests.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("input request keys must not be empty");
            }
            if (!clientSupports(e.getValue().feature())) {
                throw new UnsupportedByClientException(e.getValue().feature());
            }
            asks.put(e.getKey(), toWire(e.getValue()));
        }
        Map<String, JsonNode> answers = askAll(asks);
        Map<String, Object> typed = new LinkedHashMap<>();
        asks.forEach((key, ask) -> typed.put(key, fromWire(ask.request(), answers.get(key))));
        return new InputResponses(typed);
    }

    /** One ask as it goes on the wire, with the request it came from. */
    public record Ask(InputRequest request, String method, ObjectNode params) {
    }

    /**
     * Asks the client and returns its answer to each ask, by key. Over a session: one server→client
     * request after the other, on the request's own channel. The stateless era and tasks override this.
     */
    protected Map<String, JsonNode> askAll(Map<String, Ask> asks) throws InterruptedException {
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        for (Map.Entry<String, Ask> e : asks.entrySet()) {
            answers.put(e.getKey(), requester.request(session, sink, e.getValue().method(), e.getValue().params()));
        }
        return answers;
    }

    /** {@link #askAll} of this context, for work that runs on another thread on this request's behalf. */
    public final Map<String, JsonNode> askAllOf(Map<String, Ask> asks) throws InterruptedException {
        return askAll(asks);
    }

    /** Key of the single ask the one-question methods ({@link #elicit}, {@link #sample}, {@link #roots}) make. */
    private static final String SINGLE = "input";

    /** A one-question ask; its key is numbered so that several in one run stay apart. */
    private InputResponses askOne(InputRequest request) throws InterruptedException {
        String key = "input-" + singleAsks++;
        InputResponses answers = ask(Map.of(key, request));
        return new InputResponses(Map.of(SINGLE, answers.asMap().get(key)));
    }

    private int singleAsks;

    Ask toWire(InputRequest request) {
        ObjectNode params = Json.object();
        return switch (request) {
            case InputRequest.Elicitation e -> {
                if (session.protocolVersion() != null && session.protocolVersion().atLeast(ProtocolVersion.V2025_11_25)) {
                    params.put("mode", "form");
                }
                params.put("message", e.message());
                params.set("requestedSchema", Json.toTree(e.requestedSchema()));
                yield new Ask(request, "elicitation/create", params);
            }
            case InputRequest.UrlElicitation e -> {
                params.put("mode", "url");
                params.put("message", e.message());
                params.put("url", e.url());
                params.put("elicitationId", e.elicitationId());
                yield new Ask(request, "elicitation/create", params);
            }
            case InputRequest.Sampling s -> {
                SamplingRequest samplingRequest = s.request();
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
                yield new Ask(request, "sampling/createMessage", params);
            }
            case InputRequest.Roots r -> new Ask(request, "roots/list", params);
        };
    }

    /** The client's wire answer as the plugin sees it. */
    static Object fromWire(InputRequest request, JsonNode result) {
        JsonNode r = result == null ? Json.object() : result;
        return switch (request) {
            case InputRequest.Elicitation e -> new ElicitationResult(Json.text(r, "action"), Json.toMap(r.get("content")));
            case InputRequest.UrlElicitation e -> new ElicitationResult(Json.text(r, "action"), Map.of());
            case InputRequest.Sampling s -> new SamplingResult(WireFormat.role(Json.text(r, "role")),
                    WireFormat.parseContent(r.path("content")), Json.text(r, "model"), Json.text(r, "stopReason"));
            case InputRequest.Roots roots -> {
                List<Root> list = new ArrayList<>();
                for (JsonNode root : r.path("roots")) {
                    list.add(new Root(Json.text(root, "uri"), Json.text(root, "name")));
                }
                yield List.copyOf(list);
            }
        };
    }

    static String capabilityName(ClientFeature feature) {
        return switch (feature) {
            case SAMPLING -> "sampling";
            case ELICITATION -> "elicitation";
            case ROOTS -> "roots";
            case ELICITATION_URL -> "elicitation";
        };
    }
}
