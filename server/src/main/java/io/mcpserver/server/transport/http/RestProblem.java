package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;

/**
 * The REST facade's errors: {@code application/problem+json} (RFC 9457) with the JSON-RPC error inside, so that a
 * REST client reads the same code and message an MCP client would ({@code code}, {@code data} as extension members).
 */
final class RestProblem {

    static final String MEDIA_TYPE = "application/problem+json";

    private RestProblem() {
    }

    /** Sends a problem: {@code type} about:blank, the status's reason as {@code title}, the JSON-RPC error inside. */
    static void send(ServerResponse res, Status status, int code, String detail, JsonNode data) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.send(Json.writeBytes(body(status, code, detail, data)));
    }

    static void send(ServerResponse res, Status status, int code, String detail) {
        send(res, status, code, detail, null);
    }

    static ObjectNode body(Status status, int code, String detail, JsonNode data) {
        ObjectNode problem = Json.object();
        problem.put("type", "about:blank");
        problem.put("title", status.reasonPhrase());
        problem.put("status", status.code());
        problem.put("detail", detail);
        problem.put("code", code);
        if (data != null && !data.isNull() && !data.isMissingNode()) {
            problem.set("data", data);
        }
        return problem;
    }

    /**
     * The HTTP status of a JSON-RPC error that has none of its own ({@link HttpRefusal} gives 403 and 429 theirs):
     * bad input is a 4xx, an internal fault 500.
     */
    static Status status(int code) {
        return switch (code) {
            case ErrorCodes.METHOD_NOT_FOUND, ErrorCodes.RESOURCE_NOT_FOUND -> Status.NOT_FOUND_404;
            case ErrorCodes.UNAUTHORIZED -> Status.UNAUTHORIZED_401;
            case ErrorCodes.FORBIDDEN -> Status.FORBIDDEN_403;
            // a limit without a retry time (in-flight requests, running tasks): try again shortly
            case ErrorCodes.LIMIT_EXCEEDED -> Status.SERVICE_UNAVAILABLE_503;
            // the tool asks the client for something (elicitation, sampling, roots) a REST caller cannot give
            case ErrorCodes.MISSING_CLIENT_CAPABILITY -> Status.create(422, "Unprocessable Content");
            case ErrorCodes.INTERNAL_ERROR -> Status.INTERNAL_SERVER_ERROR_500;
            default -> Status.BAD_REQUEST_400; // parse errors, invalid params, a plugin's own JSON-RPC errors
        };
    }
}
