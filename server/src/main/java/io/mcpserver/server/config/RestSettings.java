package io.mcpserver.server.config;

import java.util.List;

/**
 * {@code rest.*}: the REST facade on the HTTP listener.
 *
 * @param enabled serve the REST routes and the OpenAPI document
 * @param path    where the routes live, e.g. {@code /mcp/v1}
 * @param docs    also serve {@code /docs} (Swagger UI)
 */
public record RestSettings(boolean enabled, String path, boolean docs) {

    static RestSettings read(ConfigReader r, HttpSettings http) {
        String path = r.string("rest.path");
        if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
            r.problem("rest.path", "must start with '/', name a path and not end with '/', was '" + path + "'");
        } else if (List.of(http.path(), http.ssePath(), http.messagePath()).contains(path)) {
            r.problem("rest.path", "'" + path + "' is already an MCP endpoint of transports.http");
        }
        return new RestSettings(r.bool("rest.enabled"), path, r.bool("rest.docs"));
    }
}
