package io.mcpserver.server.security;

import io.mcpserver.server.observe.LogThrottle;

import java.time.Duration;

/** How often refusals a client can cause at will are logged. */
final class RefusalsLogged {

    /** One line per subject per 10 s: a flooder reconnecting at once after each refusal is refused ~1,000 times a second. */
    static final LogThrottle SESSIONS = new LogThrottle(Duration.ofSeconds(10));

    private RefusalsLogged() {
    }
}
