package io.mcpserver.server.protocol;

import io.mcpserver.server.features.CompletionMethods;
import io.mcpserver.server.features.LifecycleMethods;
import io.mcpserver.server.features.PromptMethods;
import io.mcpserver.server.features.ResourceMethods;
import io.mcpserver.server.features.ToolMethods;
import io.mcpserver.server.registry.FeatureRegistry;

/**
 * The protocol core as transports see it: one dispatcher, one session registry, one feature registry,
 * shared by every transport in the process.
 */
public final class McpCore {

    private final FeatureRegistry features;
    private final SessionRegistry sessions;
    private final Dispatcher dispatcher;
    private final LifecycleMethods lifecycle;

    public McpCore(ProtocolSettings settings, FeatureRegistry features, AccessPolicy access, boolean listsMayChange) {
        this.features = features;
        this.sessions = new SessionRegistry(settings.defaultLogLevel());
        this.dispatcher = new Dispatcher(settings);
        this.lifecycle = new LifecycleMethods(settings, features, listsMayChange);
        lifecycle.register(dispatcher);
        new ToolMethods(features, settings, access).register(dispatcher);
        new ResourceMethods(features, settings, access).register(dispatcher);
        new PromptMethods(features, settings, access).register(dispatcher);
        new CompletionMethods(features).register(dispatcher);
        features.onChange(sessions::broadcastListChanged);
    }

    public FeatureRegistry features() {
        return features;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public LifecycleMethods lifecycle() {
        return lifecycle;
    }

    public ProtocolSettings settings() {
        return dispatcher.settings();
    }
}
