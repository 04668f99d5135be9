package io.mcpserver.server.core;

import io.mcpserver.server.features.CompletionMethods;
import io.mcpserver.server.features.DiscoverMethods;
import io.mcpserver.server.features.LifecycleMethods;
import io.mcpserver.server.features.PromptMethods;
import io.mcpserver.server.features.ResourceMethods;
import io.mcpserver.server.features.SubscriptionMethods;
import io.mcpserver.server.features.TaskMethods;
import io.mcpserver.server.features.ToolMethods;
import io.mcpserver.server.intercept.PluginInterceptors;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.server.protocol.Dispatcher;
import io.mcpserver.server.protocol.ProtocolSettings;
import io.mcpserver.server.protocol.RequestHook;
import io.mcpserver.server.protocol.RequestTracing;
import io.mcpserver.server.protocol.SessionRegistry;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.resume.ResumeSettings;
import io.mcpserver.server.resume.ResumeStore;
import io.mcpserver.server.resume.SessionResumption;
import io.mcpserver.server.tasks.TaskEngine;
import io.mcpserver.server.tasks.TaskStore;

import java.time.Clock;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The protocol core as transports see it: one dispatcher, one session registry, one feature registry,
 * shared by every transport in the process.
 */
public final class McpCore implements AutoCloseable {

    private final FeatureRegistry features;
    private final SessionRegistry sessions;
    private final Dispatcher dispatcher;
    private final LifecycleMethods lifecycle;
    private final SubscriptionMethods subscriptions;
    private final TaskEngine tasks;
    private final SessionResumption resumption;
    private final ScheduledThreadPoolExecutor toolTimeouts = toolTimeoutTimer();

    public McpCore(ProtocolSettings settings, FeatureRegistry features, AccessPolicy access, boolean listsMayChange) {
        this(settings, features, access, RequestHook.NONE, listsMayChange);
    }

    /**
     * @param access who may see and use what (the security rules, or {@link AccessPolicy#ALLOW_ALL})
     * @param hook   rate limits and the audit record around every request
     */
    public McpCore(ProtocolSettings settings, FeatureRegistry features, AccessPolicy access, RequestHook hook,
                   boolean listsMayChange) {
        this(settings, features, access, hook, listsMayChange, ResumeSettings.defaults(), ResumeStore.inMemory());
    }

    /**
     * @param resume session recovery on WebSocket and TCP ({@code sessions.*})
     * @param store  where resume tokens and replay buffers are kept (in memory, or shared by a cluster)
     */
    public McpCore(ProtocolSettings settings, FeatureRegistry features, AccessPolicy access, RequestHook hook,
                   boolean listsMayChange, ResumeSettings resume, ResumeStore store) {
        this(settings, features, access, hook, listsMayChange, resume, store, RequestTracing.OFF);
    }

    /** @param tracing the span of every request ({@link RequestTracing#OFF} unless {@code tracing.enabled}) */
    public McpCore(ProtocolSettings settings, FeatureRegistry features, AccessPolicy access, RequestHook hook,
                   boolean listsMayChange, ResumeSettings resume, ResumeStore store, RequestTracing tracing) {
        this(settings, features, access, hook, listsMayChange, resume, store, tracing, SessionStore.LOCAL, "");
    }

    /**
     * @param sessionStore   where shared sessions are kept for the other nodes of a cluster ({@link SessionStore#LOCAL}
     *                       alone)
     * @param nodeId         this node's id in a cluster, in front of client ids ("" alone)
     */
    public McpCore(ProtocolSettings settings, FeatureRegistry features, AccessPolicy access, RequestHook hook,
                   boolean listsMayChange, ResumeSettings resume, ResumeStore store, RequestTracing tracing,
                   SessionStore sessionStore, String nodeId) {
        this.features = features;
        this.sessions = new SessionRegistry(settings.defaultLogLevel(), sessionStore, nodeId);
        this.dispatcher = new Dispatcher(settings, hook, new PluginInterceptors(features), tracing);
        this.resumption = new SessionResumption(resume, store, sessions, Clock.systemUTC());
        this.lifecycle = new LifecycleMethods(settings, features, listsMayChange, resumption);
        lifecycle.register(dispatcher);
        this.tasks = new TaskEngine(settings.tasks(), TaskStore.inMemory(Clock.systemUTC()), Clock.systemUTC(),
                dispatcher.requester());
        new ToolMethods(features, settings, access, tasks, toolTimeouts, dispatcher).register();
        new TaskMethods(tasks).register(dispatcher);
        new ResourceMethods(features, settings, access).register(dispatcher);
        new PromptMethods(features, settings, access).register(dispatcher);
        new CompletionMethods(features, access).register(dispatcher);
        features.onChange(sessions::broadcastListChanged);
        // the stateless era (2026-07-28): discovery, and change notifications on subscriptions/listen
        new DiscoverMethods(settings, lifecycle).register(dispatcher);
        this.subscriptions = new SubscriptionMethods(access);
        subscriptions.register(dispatcher);
        features.onChange(subscriptions::listChanged);
        sessions.onResourceUpdated(subscriptions::resourceUpdated);
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

    /** Open {@code subscriptions/listen} requests; {@link SubscriptionMethods#endAll()} ends them on shutdown. */
    public SubscriptionMethods subscriptions() {
        return subscriptions;
    }

    /** Requests running as tasks; {@link TaskEngine#close()} stops them on shutdown. */
    public TaskEngine tasks() {
        return tasks;
    }

    /** Session recovery on WebSocket and TCP: resume tokens, kept sessions, replay. */
    public SessionResumption resumption() {
        return resumption;
    }

    public ProtocolSettings settings() {
        return dispatcher.settings();
    }

    /** Stops the core's own threads (the tool-timeout timer, the resume-window timer); the last step of a shutdown. */
    @Override
    public void close() {
        toolTimeouts.shutdownNow();
        resumption.close();
    }

    private static ScheduledThreadPoolExecutor toolTimeoutTimer() {
        // Nearly every call ends long before its timeout and cancels it (see DeadlineTimer: a cancelled timeout
        // left queued was 22 % of the server's CPU in bench/'s profile)
        return DeadlineTimer.create("mcp-tool-timeouts");
    }
}
