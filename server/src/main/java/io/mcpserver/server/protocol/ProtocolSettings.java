package io.mcpserver.server.protocol;

import io.mcpserver.spi.LogLevel;

import java.time.Duration;

/**
 * Protocol behaviour taken from configuration.
 *
 * @param pageSize            items per page of every list method
 * @param defaultLogLevel     least severe log level sent before the client calls {@code logging/setLevel}
 * @param clientRequestTimeout how long a server→client request (sampling, elicitation…) waits for the answer
 * @param toolTimeout         how long a tool call may run before it is cancelled
 * @param maxInFlight         concurrent requests one session may have
 * @param shutdownGrace       how long in-flight requests may run on after a shutdown begins
 */
public record ProtocolSettings(String serverName, String serverVersion, String instructions, int pageSize,
                               LogLevel defaultLogLevel, Duration clientRequestTimeout, Duration toolTimeout,
                               int maxInFlight, Duration shutdownGrace) {

    public static ProtocolSettings defaults() {
        return new ProtocolSettings("mcp-server", "dev", null, 100, LogLevel.INFO, Duration.ofSeconds(60),
                Duration.ofMinutes(5), 64, Duration.ofSeconds(10));
    }
}
