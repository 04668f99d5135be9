package io.mcpserver.server.config;

/**
 * {@code admin.*}: the admin API and the console on the HTTP listener.
 *
 * @param enabled serve {@code /admin/…} and {@code /console}
 * @param scope   with security on, a token with this scope may use them
 * @param role    with security on, so may a token with this role
 */
public record AdminSettings(boolean enabled, String scope, String role) {

    static AdminSettings read(ConfigReader r) {
        String scope = r.string("admin.scope");
        String role = r.string("admin.role");
        if (scope.isBlank() && role.isBlank()) {
            r.problem("admin.scope", "admin.scope and admin.role are both empty: no token could use the admin API "
                    + "(set admin.enabled: false to turn it off)");
        }
        return new AdminSettings(r.bool("admin.enabled"), scope.strip(), role.strip());
    }
}
