package io.mcpserver.server.testing;

import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.RequestTracing;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.resume.ResumeSettings;
import io.mcpserver.server.resume.ResumeStore;

/** A core on the defaults (no features, no security, no hooks) for tests of the HTTP sessions above it. */
public final class TestCore {

    private TestCore() {
    }

    /** @param store where sessions live ({@link SessionStore#LOCAL}, or a cluster node's); {@code nodeId} "" alone */
    public static McpCore on(SessionStore store, String nodeId) {
        return new McpCore(ServerConfig.defaults().protocol(), new FeatureRegistry(), AccessPolicy.ALLOW_ALL,
                RequestHook.NONE, false, ResumeSettings.defaults(), ResumeStore.inMemory(), RequestTracing.OFF, store,
                nodeId);
    }
}
