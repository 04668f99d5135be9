package io.mcpserver.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code observe.*}: the operations endpoints on the HTTP listener (liveness, readiness, Prometheus metrics).
 *
 * @param enabled     serve {@code healthPath} and {@code readyPath}
 * @param healthPath  liveness: up while the process can answer
 * @param readyPath   readiness: every listener bound and the plugins loaded; down once a shutdown begins
 * @param metrics     also serve {@code metricsPath}
 * @param metricsPath the meters in Prometheus text format (OpenMetrics or JSON when asked for)
 */
public record ObserveSettings(boolean enabled, String healthPath, String readyPath, boolean metrics,
                              String metricsPath) {

    static ObserveSettings read(ConfigReader r, HttpSettings http, WebSocketSettings websocket) {
        Map<String, String> paths = new LinkedHashMap<>();
        String health = path(r, "observe.health-path", paths);
        String ready = path(r, "observe.ready-path", paths);
        String metrics = path(r, "observe.metrics-path", paths);
        // The observe endpoints are outside every MCP check: they must not shadow an MCP endpoint.
        List<String> taken = new java.util.ArrayList<>(List.of(http.path(), http.ssePath(), http.messagePath()));
        taken.addAll(websocket.paths().stream().filter(p -> !p.equals("/")).toList());
        paths.forEach((key, path) -> {
            if (taken.contains(path)) {
                r.problem(key, "'" + path + "' is already an MCP endpoint of transports.http");
            }
        });
        return new ObserveSettings(r.bool("observe.enabled"), health, ready,
                r.bool("observe.metrics"), metrics);
    }

    private static String path(ConfigReader r, String key, Map<String, String> seen) {
        String path = r.string(key);
        if (!path.startsWith("/") || path.length() < 2) {
            r.problem(key, "must start with '/' and name a path, was '" + path + "'");
        } else if (seen.containsValue(path)) {
            r.problem(key, "'" + path + "' is also used by another observe endpoint");
        }
        seen.put(key, path);
        return path;
    }
}
