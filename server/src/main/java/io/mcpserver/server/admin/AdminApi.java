package io.mcpserver.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.observe.RecentActivity;
import io.mcpserver.server.plugins.PluginLoader;
import io.mcpserver.server.plugins.PluginStatus;
import io.mcpserver.server.plugins.PluginSummary;
import io.mcpserver.server.presence.Presence;
import io.mcpserver.server.presence.PresenceEntry;
import io.mcpserver.server.security.AuditLog;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The admin API on the HTTP listener, under {@code /admin}: who is connected ({@link Presence}), closing a
 * connection, the plugins and reloading one, and the recent traffic the console charts. Every route is behind
 * {@link AdminAccess}. Nothing here lists a credential: connections are named by client id, never by
 * {@code Mcp-Session-Id}, and no token or key is ever part of a reply.
 */
final class AdminApi implements HttpService {

    private static final System.Logger LOG = System.getLogger(AdminApi.class.getName());
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final AdminAccess access;
    private final Presence presence;
    private final PluginLoader plugins;
    private final RecentActivity activity;
    private final AuditLog audit;

    AdminApi(AdminAccess access, Presence presence, PluginLoader plugins, RecentActivity activity, AuditLog audit) {
        this.access = access;
        this.presence = presence;
        this.plugins = plugins;
        this.activity = activity;
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/connections", this::connections)
                .get("/connections/{id}", this::connection)
                .delete("/connections/{id}", this::disconnect)
                .get("/plugins", this::plugins)
                .post("/plugins/{name}/reload", this::reload)
                .get("/activity", this::activity)
                .any(this::unknown);
    }

    /** {@code GET /admin/connections?principal=&transport=&limit=&cursor=}: one page, oldest first. */
    private void connections(ServerRequest req, ServerResponse res) {
        if (access.admit(req, res, null) == null) {
            return;
        }
        String principal = query(req, "principal");
        String transport = query(req, "transport");
        Integer limit = number(req, res, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        if (limit == null) {
            return;
        }
        Integer offset = number(req, res, "cursor", 0, 0, Integer.MAX_VALUE);
        if (offset == null) {
            return;
        }
        List<PresenceEntry> all = presence.list();
        Map<String, Integer> byTransport = new TreeMap<>();
        all.forEach(e -> byTransport.merge(e.transport(), 1, Integer::sum));
        List<PresenceEntry> matching = all.stream()
                .filter(e -> principal == null || principal.equals(e.principal()))
                .filter(e -> transport == null || transport.equals(e.transport()))
                .toList();
        ObjectNode body = Json.object();
        ArrayNode page = body.putArray("connections");
        matching.stream().skip(offset).limit(limit).forEach(e -> page.add(json(e)));
        body.put("total", matching.size());
        if (offset + limit < matching.size()) {
            body.put("nextCursor", String.valueOf(offset + limit));
        } else {
            body.putNull("nextCursor");
        }
        ObjectNode counts = body.putObject("byTransport");
        byTransport.forEach(counts::put);
        AdminJson.send(res, Status.OK_200, body);
    }

    private void connection(ServerRequest req, ServerResponse res) {
        if (access.admit(req, res, null) == null) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        Optional<PresenceEntry> entry = presence.find(id);
        if (entry.isEmpty()) {
            notFound(res, id);
            return;
        }
        AdminJson.send(res, Status.OK_200, json(entry.get()));
    }

    /** {@code DELETE /admin/connections/{id}}: the transport drops the client, its running calls are cancelled. */
    private void disconnect(ServerRequest req, ServerResponse res) {
        String admin = access.admit(req, res, null);
        if (admin == null) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        Optional<PresenceEntry> before = presence.find(id);
        Presence.Disconnect outcome = presence.disconnect(id, "closed by an administrator (" + admin + ")");
        audit.adminAction(admin, AdminJson.remote(req), "admin/close-connection", id,
                outcome.name().toLowerCase(java.util.Locale.ROOT));
        switch (outcome) {
            case NOT_FOUND -> notFound(res, id);
            case NOT_SUPPORTED -> AdminJson.error(res, Status.CONFLICT_409, "not_closable", "Connection '" + id
                    + "' (" + before.map(PresenceEntry::transport).orElse("?") + ") cannot be closed from the server: "
                    + "stdio is the server's own parent process; stop the server instead");
            case CLOSED -> {
                LOG.log(System.Logger.Level.INFO, "Admin " + admin + " closed connection " + id);
                ObjectNode body = Json.object();
                body.put("id", id);
                body.put("closed", true);
                body.put("cancelledRequests", before.map(PresenceEntry::inFlight).orElse(0));
                AdminJson.send(res, Status.OK_200, body);
            }
        }
    }

    /** {@code GET /admin/plugins}: every plugin with its state, its contributions, and why it failed. */
    private void plugins(ServerRequest req, ServerResponse res) {
        if (access.admit(req, res, null) == null) {
            return;
        }
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("plugins");
        plugins.current().forEach(s -> list.add(json(s)));
        body.put("loadFailuresTotal", plugins.loadFailures());
        AdminJson.send(res, Status.OK_200, body);
    }

    /**
     * {@code POST /admin/plugins/{name}/reload}: loads the plugin's JAR or directory again, with its configuration
     * as the file says now; should the new version fail, the loaded one stays.
     */
    private void reload(ServerRequest req, ServerResponse res) {
        String admin = access.admit(req, res, null);
        if (admin == null) {
            return;
        }
        String name = req.path().pathParameters().get("name");
        boolean known = plugins.current().stream().anyMatch(s -> s.name().equals(name));
        Optional<Path> source = plugins.sourceOf(name);
        if (source.isEmpty()) {
            audit.adminAction(admin, AdminJson.remote(req), "admin/reload-plugin", name,
                    known ? "not_reloadable" : "not_found");
            if (known) {
                AdminJson.error(res, Status.CONFLICT_409, "not_reloadable", "Plugin '" + name + "' was not loaded "
                        + "from the plugins directory (it was registered in-process), so there is nothing to reload");
            } else {
                AdminJson.error(res, Status.NOT_FOUND_404, "not_found", "No plugin named '" + shown(name)
                        + "'; GET /admin/plugins lists them");
            }
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Admin " + admin + " reloads plugin " + name + " from " + source.get());
        List<PluginSummary> results = plugins.reload(source.get());
        List<PluginSummary> failed = results.stream().filter(s -> s.status() == PluginStatus.FAILED).toList();
        audit.adminAction(admin, AdminJson.remote(req), "admin/reload-plugin", name, failed.isEmpty() ? "ok" : "failed");
        if (!failed.isEmpty()) {
            AdminJson.error(res, Status.create(422, "Unprocessable Content"), "reload_failed", "Plugin '" + name
                    + "' was not reloaded: " + failed.getFirst().reason());
            return;
        }
        ObjectNode body = Json.object();
        body.put("reloaded", name);
        ArrayNode list = body.putArray("plugins");
        results.forEach(s -> list.add(json(s)));
        AdminJson.send(res, Status.OK_200, body);
    }

    /** {@code GET /admin/activity?seconds=}: requests, errors and latency per second, and the recent errors. */
    private void activity(ServerRequest req, ServerResponse res) {
        if (access.admit(req, res, null) == null) {
            return;
        }
        Integer seconds = number(req, res, "seconds", 300, 1, RecentActivity.SECONDS);
        if (seconds == null) {
            return;
        }
        ObjectNode body = Json.object();
        ArrayNode series = body.putArray("series");
        for (RecentActivity.Point p : activity.series(seconds)) {
            ObjectNode point = series.addObject();
            point.put("t", p.second());
            point.put("requests", p.requests());
            point.put("errors", p.errors());
            point.put("meanMs", Math.round(p.meanMillis() * 1000) / 1000.0);
            point.put("maxMs", Math.round(p.maxMillis() * 1000) / 1000.0);
        }
        ArrayNode errors = body.putArray("errors");
        for (RecentActivity.RecentError e : activity.errors()) {
            ObjectNode error = errors.addObject();
            error.put("time", Instant.ofEpochMilli(e.timeMillis()).toString());
            error.put("transport", e.transport());
            error.put("clientId", e.clientId());
            error.put("principal", e.principal());
            error.put("method", e.method());
            error.put("target", e.target());
            error.put("code", e.code());
            error.put("message", e.message());
        }
        AdminJson.send(res, Status.OK_200, body);
    }

    private void unknown(ServerRequest req, ServerResponse res) {
        if (access.admit(req, res, null) == null) {
            return;
        }
        AdminJson.error(res, Status.NOT_FOUND_404, "not_found", "No admin route " + req.prologue().method().text()
                + " " + shown(req.path().path()) + "; see docs/operations.md#admin-api-and-console");
    }

    private static void notFound(ServerResponse res, String id) {
        AdminJson.error(res, Status.NOT_FOUND_404, "not_found", "No live connection or session '" + shown(id)
                + "'; GET /admin/connections lists them");
    }

    static ObjectNode json(PresenceEntry e) {
        ObjectNode node = Json.object();
        node.put("id", e.id());
        node.put("transport", e.transport());
        node.put("principal", e.principal());
        node.put("remote", e.remote());
        ObjectNode client = node.putObject("client");
        client.put("name", e.clientName());
        client.put("version", e.clientVersion());
        node.put("protocolVersion", e.protocolVersion());
        node.put("openedAt", Instant.ofEpochMilli(e.openedAtMillis()).toString());
        node.put("lastActivity", Instant.ofEpochMilli(e.lastActivityMillis()).toString());
        node.put("inFlight", e.inFlight());
        ArrayNode subscriptions = node.putArray("subscriptions");
        e.subscriptions().forEach(subscriptions::add);
        node.put("closable", e.closable());
        node.put("state", e.detached() ? "detached" : "connected");
        return node;
    }

    private static ObjectNode json(PluginSummary s) {
        ObjectNode node = Json.object();
        node.put("name", s.name());
        node.put("version", s.version());
        node.put("description", s.description());
        node.put("source", s.source() == null || s.source().getFileName() == null ? null
                : s.source().getFileName().toString());
        node.put("state", s.status().label());
        node.put("reason", s.reason());
        ArrayNode tools = node.putArray("tools");
        s.tools().forEach(tools::add);
        ArrayNode resources = node.putArray("resources");
        s.resources().forEach(resources::add);
        ArrayNode prompts = node.putArray("prompts");
        s.prompts().forEach(prompts::add);
        return node;
    }

    private static String query(ServerRequest req, String name) {
        return req.query().contains(name) ? req.query().get(name) : null;
    }

    /** A whole-number query parameter, or null after answering 400. */
    private static Integer number(ServerRequest req, ServerResponse res, String name, int fallback, int min, int max) {
        String value = query(req, name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        AdminJson.error(res, Status.BAD_REQUEST_400, "bad_request", "'" + name + "' must be a whole number from "
                + min + " to " + max + ", was '" + shown(value) + "'");
        return null;
    }

    static String shown(String text) {
        if (text == null) {
            return "";
        }
        String t = text.length() > 100 ? text.substring(0, 100) + "…" : text;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
