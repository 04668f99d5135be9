package io.mcpserver.server.security;

import io.mcpserver.server.config.SecuritySettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerSecurityTest {

    private static SecuritySettings settings(boolean enabled) {
        return new SecuritySettings(enabled, null, List.of(), List.of(),
                new SecuritySettings.JwtSettings(null, null, Duration.ofMinutes(10), null, List.of(), Duration.ofSeconds(30),
                        "roles"),
                List.of(), true, Map.of(), new SecuritySettings.Identity("me", null, null), Map.of(),
                new SecuritySettings.AuditSettings(false, Path.of("audit.log"), 1 << 20, 1, false),
                SecuritySettings.RateLimitSettings.OFF);
    }

    private static List<String> warnings(Runnable action) {
        Logger logger = Logger.getLogger(ServerSecurity.class.getName());
        List<String> messages = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    messages.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            action.run();
        } finally {
            logger.removeHandler(handler);
        }
        return messages;
    }

    @Test
    void aNonLoopbackBindWithSecurityOffIsLoudlyWarnedAbout() {
        ServerSecurity off = new ServerSecurity(settings(false), "/mcp", Clock.systemUTC());
        List<String> exposed = warnings(() -> off.warnIfExposed(Map.of("tcp", "0.0.0.0")));
        assertEquals(1, exposed.size(), exposed.toString());
        assertTrue(exposed.getFirst().contains("SECURITY IS OFF") && exposed.getFirst().contains("0.0.0.0"));
        assertTrue(warnings(() -> off.warnIfExposed(Map.of("tcp", "127.0.0.1", "http", "::1"))).isEmpty());
        ServerSecurity on = new ServerSecurity(settings(true), "/mcp", Clock.systemUTC());
        assertTrue(warnings(() -> on.warnIfExposed(Map.of("http", "0.0.0.0"))).isEmpty());
    }

    @Test
    void withSecurityOffEveryoneIsAnonymousAndEverythingIsAllowed() {
        ServerSecurity off = new ServerSecurity(settings(false), "/mcp", Clock.systemUTC());
        var caller = assertInstanceOf(AuthResult.Authenticated.class, off.edge()
                .bearer(new EdgeAuthenticator.Peer("http", null), null)).caller();
        assertEquals("anonymous", caller.subject());
        assertTrue(off.accessPolicy().allows(caller, io.mcpserver.server.protocol.AccessPolicy.Kind.TOOL, "anything"));
        assertFalse(ServerSecurity.isLoopback("192.0.2.1"));
        assertTrue(ServerSecurity.isLoopback("localhost"));
    }
}
