package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonRpcTest {

    private static JsonRpc.Kind kind(String json) throws Exception {
        return JsonRpc.kind(Json.parse(json));
    }

    @Test
    void messagesAreClassifiedByTheirMembers() throws Exception {
        assertEquals(JsonRpc.Kind.REQUEST, kind("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
        assertEquals(JsonRpc.Kind.REQUEST, kind("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\"}"));
        assertEquals(JsonRpc.Kind.NOTIFICATION, kind("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
        assertEquals(JsonRpc.Kind.RESPONSE, kind("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
        assertEquals(JsonRpc.Kind.RESPONSE, kind("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-1,\"message\":\"x\"}}"));
    }

    @Test
    void malformedMessagesAreInvalid() throws Exception {
        assertEquals(JsonRpc.Kind.INVALID, JsonRpc.kind(null));
        assertEquals(JsonRpc.Kind.INVALID, kind("[]"));
        assertEquals(JsonRpc.Kind.INVALID, kind("\"ping\""));
        assertEquals(JsonRpc.Kind.INVALID, kind("{\"id\":1,\"method\":\"ping\"}"), "no jsonrpc member");
        assertEquals(JsonRpc.Kind.INVALID, kind("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}"));
        assertEquals(JsonRpc.Kind.INVALID, kind("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}"), "a method that is no string");
        assertEquals(JsonRpc.Kind.INVALID, kind("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}"), "MCP ids are never null");
        assertEquals(JsonRpc.Kind.INVALID, kind("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}"));
        assertEquals(JsonRpc.Kind.INVALID, kind("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}"));
        assertEquals(JsonRpc.Kind.INVALID, kind("{\"jsonrpc\":\"2.0\",\"id\":1}"), "neither method nor result");
        assertEquals(JsonRpc.Kind.INVALID, kind("{\"jsonrpc\":\"2.0\",\"result\":{}}"), "a response without id");
    }

    @Test
    void builtMessagesHaveTheShapeTheSpecWants() throws Exception {
        ObjectNode request = JsonRpc.request(IntNode.valueOf(3), "sampling/createMessage", null);
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"sampling/createMessage\"}", Json.write(request));
        assertEquals(JsonRpc.Kind.NOTIFICATION, JsonRpc.kind(JsonRpc.notification("notifications/x", Json.object())));
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}", Json.write(JsonRpc.result(TextNode.valueOf("a"), null)));

        ObjectNode error = JsonRpc.error(null, ErrorCodes.PARSE_ERROR, "Parse error", null);
        assertTrue(error.get("id").isNull(), "an error with no id to answer has \"id\": null");
        assertFalse(error.path("error").has("data"));
        ObjectNode data = Json.object();
        data.put("retryAfterMs", 5);
        JsonNode limited = JsonRpc.error(IntNode.valueOf(9), new McpException(ErrorCodes.LIMIT_EXCEEDED, "slow down", data));
        assertEquals(-32000, limited.at("/error/code").asInt());
        assertEquals("slow down", limited.at("/error/message").asText());
        assertEquals(5, limited.at("/error/data/retryAfterMs").asInt());
    }

    @Test
    void idOrNullKeepsOnlyUsableIds() throws Exception {
        assertEquals(IntNode.valueOf(4), JsonRpc.idOrNull(Json.parse("{\"id\":4}")));
        assertEquals(TextNode.valueOf("x"), JsonRpc.idOrNull(Json.parse("{\"id\":\"x\"}")));
        assertTrue(JsonRpc.idOrNull(Json.parse("{\"id\":[1]}")).isNull());
        assertTrue(JsonRpc.idOrNull(Json.parse("[1]")).isNull());
        assertTrue(JsonRpc.idOrNull(null).isNull());
    }
}
