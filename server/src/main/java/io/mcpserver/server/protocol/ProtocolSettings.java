package io.mcpserver.server.protocol;

import io.mcpserver.spi.LogLevel;

import java.time.Duration;
import java.util.Map;

/**
 * Protocol behaviour taken from configuration.
 *
 * @param pageSize            items per page of every list method
 * @param defaultLogLevel     least severe log level sent before the client calls {@code logging/setLevel}
 * @param clientRequestTimeout how long a server→client request (sampling, elicitation…) waits for the answer
 * @param toolTimeout         how long a tool call may run before it is cancelled
 * @param maxInFlight         concurrent requests one session may have
 * @param shutdownGrace       how long in-flight requests may run on after a shutdown begins
 * @param stateless              settings of the stateless era (2026-07-28)
 * @param toolTimeouts        per-tool overrides of {@code toolTimeout}, by tool name
 * @param tasks               how tasks run and how long they are kept
 * @param maxSubscriptions    resources one session may subscribe to at once
 * @param maxUriLength        longest resource URI accepted by {@code resources/subscribe}
 */
public record ProtocolSettings(String serverName, String serverVersion, String instructions, int pageSize,
                               LogLevel defaultLogLevel, Duration clientRequestTimeout, Duration toolTimeout,
                               int maxInFlight, Duration shutdownGrace, StatelessSettings stateless,
                               Map<String, Duration> toolTimeouts, TaskSettings tasks, int maxSubscriptions,
                               int maxUriLength) {

    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 1000;
    public static final int DEFAULT_MAX_URI_LENGTH = 8192;

    public ProtocolSettings {
        java.util.Objects.requireNonNull(stateless, "stateless");
        java.util.Objects.requireNonNull(tasks, "tasks");
        toolTimeouts = toolTimeouts == null ? Map.of() : Map.copyOf(toolTimeouts);
    }

    public ProtocolSettings withToolTimeouts(Map<String, Duration> overrides) {
        return new ProtocolSettings(serverName, serverVersion, instructions, pageSize, defaultLogLevel,
                clientRequestTimeout, toolTimeout, maxInFlight, shutdownGrace, stateless, overrides, tasks,
                maxSubscriptions, maxUriLength);
    }

    public ProtocolSettings withStateless(StatelessSettings settings) {
        return new ProtocolSettings(serverName, serverVersion, instructions, pageSize, defaultLogLevel,
                clientRequestTimeout, toolTimeout, maxInFlight, shutdownGrace, settings, toolTimeouts, tasks,
                maxSubscriptions, maxUriLength);
    }

    public ProtocolSettings withTasks(TaskSettings settings) {
        return new ProtocolSettings(serverName, serverVersion, instructions, pageSize, defaultLogLevel,
                clientRequestTimeout, toolTimeout, maxInFlight, shutdownGrace, stateless, toolTimeouts, settings,
                maxSubscriptions, maxUriLength);
    }

    public ProtocolSettings withSubscriptionLimits(int subscriptions, int uriLength) {
        return new ProtocolSettings(serverName, serverVersion, instructions, pageSize, defaultLogLevel,
                clientRequestTimeout, toolTimeout, maxInFlight, shutdownGrace, stateless, toolTimeouts, tasks,
                subscriptions, uriLength);
    }

    /** How long the named tool may run: its override, else {@link #toolTimeout()}. */
    public Duration toolTimeout(String tool) {
        return toolTimeouts.getOrDefault(tool, toolTimeout);
    }
}
