package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.client.ClientFeature;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rules of the stateless era (2026-07-28) that the dispatcher applies on every transport: which
 * requests it claims, the one-request session built from {@code _meta}, multi round-trip requests,
 * and what every result and error must look like.
 */
public final class StatelessEra {

    private static final System.Logger LOG = System.getLogger(StatelessEra.class.getName());

    /** Methods served statelessly. */
    static final Set<String> METHODS = Set.of("server/discover", "tools/list", "tools/call", "resources/list",
            "resources/templates/list", "resources/read", "prompts/list", "prompts/get", "completion/complete",
            "subscriptions/listen", "tasks/get", "tasks/update", "tasks/cancel");
    /** Methods that exist only in the stateless era: a legacy session does not know them. */
    public static final Set<String> STATELESS_ONLY = Set.of("server/discover", "subscriptions/listen");
    /** Requests that may answer {@code input_required}. */
    static final Set<String> MULTI_ROUND = Set.of("tools/call", "prompts/get", "resources/read");
    private static final Set<String> LISTS = Set.of("server/discover", "tools/list", "prompts/list",
            "resources/list", "resources/templates/list");
    private static final Map<String, String> REMOVED = Map.of(
            "initialize", "2026-07-28 has no initialize handshake: every request carries its version and "
                    + "capabilities in params._meta (a legacy session over HTTP omits MCP-Protocol-Version: "
                    + "2026-07-28)",
            "ping", "ping was removed in 2026-07-28",
            "logging/setLevel", "logging/setLevel was removed in 2026-07-28: put the level in each request's "
                    + "params._meta['" + RequestMeta.LOG_LEVEL + "']",
            "resources/subscribe", "resources/subscribe was removed in 2026-07-28: send subscriptions/listen "
                    + "with notifications.resourceSubscriptions",
            "resources/unsubscribe", "resources/unsubscribe was removed in 2026-07-28: cancel the "
                    + "subscriptions/listen request instead");

    private final ProtocolSettings settings;
    private final RequestStateCodec codec;
    private volatile SpentStates spent = SpentStates.inMemory(java.time.Clock.systemUTC());

    StatelessEra(ProtocolSettings settings) {
        this.settings = settings;
        byte[] key = settings.stateless().requestStateKey();
        if (key == null) {
            LOG.log(System.Logger.Level.INFO, "protocol.request-state-key is not set: multi round-trip states are "
                    + "sealed with a random key, valid only in this process");
            key = RequestStateCodec.randomKey();
        }
        this.codec = new RequestStateCodec(key);
    }

    /** Where accepted states are recorded: this process's memory, or (in a cluster) a store every node shares. */
    void spentStates(SpentStates store) {
        this.spent = store;
    }

    /**
     * Whether a request is served statelessly: it arrives on a one-request session, or
     * {@link #claims(boolean, String, JsonNode) the era test} says so.
     */
    boolean claims(Session session, String method, JsonNode params) {
        if (session.isStateless()) {
            return true; // a transport's one-request session (stateless Streamable HTTP)
        }
        return claims(session.isNegotiated(), method, params);
    }

    /**
     * The one test of the era by a request's body, for every transport: a request is stateless when it carries
     * stateless-era {@code _meta} (or names a method only that era has) and is not {@code initialize} or part of
     * a legacy session.
     *
     * @param inLegacySession whether the request belongs to a session begun with {@code initialize}
     */
    public static boolean claims(boolean inLegacySession, String method, JsonNode params) {
        if (inLegacySession || "initialize".equals(method)) {
            return false;
        }
        return RequestMeta.present(params) || STATELESS_ONLY.contains(method);
    }

    static void checkMethod(String method) {
        if (METHODS.contains(method)) {
            return;
        }
        String removed = REMOVED.get(method);
        throw new McpException(ErrorCodes.METHOD_NOT_FOUND, removed != null ? "Method not found: " + removed
                : "Method not found: " + method);
    }

    /**
     * The session one stateless request runs in: the transport's own one-request session (HTTP), or a
     * fresh one for a request that arrived on a longer-lived connection (stdio, TCP, WebSocket).
     */
    static Session sessionFor(Session connection, RequestMeta meta, MessageSink sink) {
        Session session = connection.isStateless() ? connection : new Session(SessionRegistry.newSessionId(),
                connection.clientId(), connection.transport(), connection.caller(), null, sink, true);
        session.negotiated(meta.version(), meta.clientCapabilities(), meta.clientInfo());
        session.logLevel(meta.logLevel()); // no log messages unless the request asks for them
        return session;
    }

    /**
     * The context of one stateless request; for requests that may take several rounds, the rounds so far.
     *
     * @throws McpException -32602 when the request's {@code requestState} is forged, altered or stale
     */
    StatelessCallContext context(Session session, InFlightRequest request, MessageSink sink, JsonNode progressToken,
                              ClientRequester requester, String method, JsonNode params) {
        InputRounds rounds = MULTI_ROUND.contains(method) ? InputRounds.of(codec, spent,
                settings.stateless().requestStateTtl(), Objects.toString(session.caller().subject(), ""), method,
                params) : null;
        return new StatelessCallContext(session, request, sink, progressToken, requester, method, rounds);
    }

    /** A complete result: {@code resultType}, {@code serverInfo}, and caching hints where the spec wants them. */
    ObjectNode complete(String method, JsonNode params, JsonNode result) {
        ObjectNode r = result instanceof ObjectNode o ? o : Json.object();
        if (!r.has("resultType")) {
            r.put("resultType", "complete");
        }
        if (LISTS.contains(method)) {
            r.put("ttlMs", settings.stateless().listTtl().toMillis());
            r.put("cacheScope", method.equals("server/discover") ? "public" : settings.stateless().cacheScope());
        } else if (method.equals("resources/read")) {
            // a result that depends on inputResponses must not be cached
            boolean retried = params != null && (params.has("requestState") || params.has("inputResponses"));
            r.put("ttlMs", retried ? 0 : settings.stateless().readTtl().toMillis());
            r.put("cacheScope", settings.stateless().cacheScope());
        }
        return withServerInfo(r);
    }

    ObjectNode inputRequired(StatelessCallContext context) {
        return withServerInfo(context.inputRequiredResult());
    }

    private ObjectNode withServerInfo(ObjectNode result) {
        JsonNode meta = result.get("_meta");
        ObjectNode m = meta instanceof ObjectNode o ? o : result.putObject("_meta");
        m.putObject(RequestMeta.SERVER_INFO).put("name", settings.serverName()).put("version", settings.serverVersion());
        return result;
    }

    /** The stateless form of an error: resource-not-found is -32602 since 2026-07-28. */
    static McpException error(McpException e) {
        if (e.code() == ErrorCodes.RESOURCE_NOT_FOUND) {
            return new McpException(ErrorCodes.INVALID_PARAMS, e.getMessage(), e.data());
        }
        return e;
    }

    /** {@code MissingRequiredClientCapabilityError} (-32021) for a feature the request's capabilities lack. */
    public static McpException missingCapability(ClientFeature feature) {
        String name = CallContext.capabilityName(feature);
        ObjectNode data = Json.object();
        ObjectNode capability = data.putObject("requiredCapabilities").putObject(name);
        if (feature == ClientFeature.ELICITATION_URL) {
            capability.putObject("url");
            name = "elicitation.url";
        }
        return new McpException(ErrorCodes.MISSING_CLIENT_CAPABILITY, "This request needs the client capability '"
                + name + "', which params._meta['" + RequestMeta.CLIENT_CAPABILITIES + "'] does not declare", data);
    }
}
