package io.mcpserver.server.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.Request;
import io.mcpserver.server.protocol.RequestMeta;

/**
 * {@code server/discover} (2026-07-28): the versions this server speaks, what it offers, and how to
 * use it. {@code serverInfo} and the caching hints are added by the dispatcher, as for every result.
 */
public final class DiscoverMethods {

    private final ProtocolSettings settings;
    private final LifecycleMethods lifecycle;

    public DiscoverMethods(ProtocolSettings settings, LifecycleMethods lifecycle) {
        this.settings = settings;
        this.lifecycle = lifecycle;
    }

    public void register(Dispatcher dispatcher) {
        dispatcher.register("server/discover", this::discover);
    }

    private JsonNode discover(Request request) {
        ObjectNode result = Json.object();
        ArrayNode versions = result.putArray("supportedVersions");
        RequestMeta.supportedIds().forEach(versions::add);
        ObjectNode capabilities = lifecycle.serverCapabilities();
        capabilities.putObject("extensions").putObject(TaskMethods.EXTENSION);
        result.set("capabilities", capabilities);
        if (settings.instructions() != null && !settings.instructions().isBlank()) {
            result.put("instructions", settings.instructions());
        }
        return result;
    }
}
