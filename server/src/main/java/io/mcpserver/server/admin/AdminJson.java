package io.mcpserver.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.json.Json;

/** The admin API's replies: JSON bodies, errors as {@code {"error":{"status","code","message"}}}, never cached. */
final class AdminJson {

    private AdminJson() {
    }

    static void send(ServerResponse res, Status status, JsonNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header("X-Content-Type-Options", "nosniff");
        res.send(Json.writeBytes(body));
    }

    /**
     * An error a person can act on.
     *
     * @param code a short machine-readable name ({@code not_found}, {@code forbidden}, {@code bad_request} …)
     */
    static void error(ServerResponse res, Status status, String code, String message) {
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("status", status.code());
        error.put("code", code);
        error.put("message", message);
        send(res, status, body);
    }

    static String remote(ServerRequest req) {
        return req.remotePeer().host() + ":" + req.remotePeer().port();
    }
}
