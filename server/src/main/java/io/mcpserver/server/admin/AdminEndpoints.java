package io.mcpserver.server.admin;

import io.helidon.webserver.http.HttpRouting;
import io.mcpserver.server.config.AdminSettings;
import io.mcpserver.server.config.HttpSettings;
import io.mcpserver.server.observe.RecentActivity;
import io.mcpserver.server.plugins.PluginLoader;
import io.mcpserver.server.presence.Presence;
import io.mcpserver.server.security.AuditLog;
import io.mcpserver.server.security.EdgeAuthenticator;

/**
 * The admin API ({@code /admin/…}) and the console ({@code /console}) for the HTTP listener, when
 * {@code admin.enabled}. See docs/operations.md#admin-api-and-console.
 */
public final class AdminEndpoints {

    private final AdminSettings settings;
    private final AdminApi api;
    private final ConsolePage console;

    public AdminEndpoints(AdminSettings settings, HttpSettings http, EdgeAuthenticator edge, Presence presence,
                          PluginLoader plugins, RecentActivity activity, AuditLog audit) {
        this.settings = settings;
        AdminAccess access = new AdminAccess(edge, settings, http);
        this.api = new AdminApi(access, presence, plugins, activity, audit);
        this.console = settings.enabled() ? new ConsolePage(access) : null;
    }

    /** Adds the routes to the HTTP listener; nothing when {@code admin.enabled} is false. */
    public void routing(HttpRouting.Builder routing) {
        if (!settings.enabled()) {
            return;
        }
        routing.register("/admin", api);
        routing.register("/console", console);
    }
}
