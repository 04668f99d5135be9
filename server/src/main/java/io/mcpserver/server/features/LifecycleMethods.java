package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.ProtocolVersion;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.resume.ResumeMeta;
import io.mcpserver.server.resume.SessionResumption;
import io.mcpserver.spi.LogLevel;

/** {@code initialize}, {@code ping} and {@code logging/setLevel}. */
public final class LifecycleMethods {

    private final ProtocolSettings settings;
    private final FeatureRegistry registry;
    private final boolean listsMayChange;
    private final SessionResumption resumption;

    /**
     * @param listsMayChange true when plugins may come and go at runtime, so every list capability is
     *                       advertised even while empty
     */
    public LifecycleMethods(ProtocolSettings settings, FeatureRegistry registry, boolean listsMayChange) {
        this(settings, registry, listsMayChange, null);
    }

    /** @param resumption session recovery on WebSocket and TCP (the {@code io.mcpserver/resume} extension), or null */
    public LifecycleMethods(ProtocolSettings settings, FeatureRegistry registry, boolean listsMayChange,
                            SessionResumption resumption) {
        this.settings = settings;
        this.registry = registry;
        this.listsMayChange = listsMayChange;
        this.resumption = resumption;
    }

    public void register(Dispatcher dispatcher) {
        dispatcher.register("initialize", this::initialize)
                .register("ping", request -> Json.object())
                .register("logging/setLevel", this::setLevel);
    }

    private JsonNode initialize(Request request) {
        if (request.session().isNegotiated()) {
            throw McpException.invalidRequest("This session is already initialized");
        }
        ObjectNode params = request.paramsObject();
        ObjectNode resume = resumption != null && resumption.eligible(request.session())
                ? ResumeMeta.requested(params) : null;
        if (resume != null && resume.has("token")) { // a reconnecting client takes its session back
            return resumption.resume(request.session(), resume, this::result);
        }
        String requested = request.requiredString("protocolVersion");
        // Legacy negotiation: echo a supported version, else offer our newest legacy one.
        ProtocolVersion version = ProtocolVersion.of(requested).filter(ProtocolVersion::isLegacy)
                .orElse(ProtocolVersion.LATEST_LEGACY);
        JsonNode capabilities = params.get("capabilities");
        if (capabilities != null && !capabilities.isObject()) {
            throw McpException.invalidParams("initialize: 'capabilities' must be an object");
        }
        request.session().negotiated(version, capabilities, Json.toMap(params.get("clientInfo")));
        ObjectNode result = result(version);
        if (resume != null) {
            resumption.open(request.session(), result);
        }
        return result;
    }

    /** The initialize result for a session speaking {@code version}. */
    private ObjectNode result(ProtocolVersion version) {
        ObjectNode result = Json.object();
        result.put("protocolVersion", version.id());
        ObjectNode offered = serverCapabilities();
        if (TaskMethods.legacyTasks(version)) {
            offered.set("tasks", TaskMethods.legacyCapability());
        }
        result.set("capabilities", offered);
        ObjectNode serverInfo = result.putObject("serverInfo");
        serverInfo.put("name", settings.serverName());
        serverInfo.put("version", settings.serverVersion());
        if (settings.instructions() != null && !settings.instructions().isBlank()) {
            result.put("instructions", settings.instructions());
        }
        return result;
    }

    /** What this server offers: lists that exist (or may appear at runtime), completions when a provider exists. */
    public ObjectNode serverCapabilities() {
        FeatureRegistry.Snapshot s = registry.snapshot();
        ObjectNode caps = Json.object();
        caps.putObject("logging");
        if (listsMayChange || !s.completions().isEmpty()) {
            caps.putObject("completions");
        }
        if (listsMayChange || !s.prompts().isEmpty()) {
            caps.putObject("prompts").put("listChanged", true);
        }
        if (listsMayChange || !s.resources().isEmpty() || !s.templates().isEmpty()) {
            caps.putObject("resources").put("subscribe", true).put("listChanged", true);
        }
        if (listsMayChange || !s.tools().isEmpty()) {
            caps.putObject("tools").put("listChanged", true);
        }
        return caps;
    }

    private JsonNode setLevel(Request request) {
        String level = request.requiredString("level");
        try {
            request.session().logLevel(LogLevel.fromWire(level));
        } catch (IllegalArgumentException e) {
            throw McpException.invalidParams("unknown log level '" + level
                    + "' (debug, info, notice, warning, error, critical, alert, emergency)");
        }
        return Json.object();
    }
}
