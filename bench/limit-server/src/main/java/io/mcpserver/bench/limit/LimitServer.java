package io.mcpserver.bench.limit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.io.IOException;
import java.util.Optional;

/**
 * "The limit": plain Helidon 4.2.3 on the same kind of listener as our server, no MCP. POST /mcp (and each
 * WebSocket text message on /ws) is parsed with Jackson and answered with the JSON-RPC result a tools/call of
 * echo would get; initialize gets a minimal result, notifications 202. No sessions, no dispatcher, no
 * validation, no plugin: what is left is HTTP/WebSocket + JSON parse + JSON write.
 * Prints {@code READY http=HOST:PORT} on stdout once listening. Usage: {@code --host H --port N} (0: any).
 */
public final class LimitServer {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private LimitServer() {
    }

    public static void main(String[] args) {
        String host = "127.0.0.1";
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .routing(r -> r.post("/mcp", LimitServer::post))
                .addRouting(WsRouting.builder().endpoint("/ws", EchoListener::new))
                .build()
                .start();
        System.out.println("READY http=" + host + ":" + server.port());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    }

    private static void post(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode message = MAPPER.readTree(req.content().inputStream());
        ObjectNode reply = reply(message);
        if (reply == null) {
            res.status(Status.ACCEPTED_202).send();
            return;
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(MAPPER.writeValueAsBytes(reply));
    }

    /** The reply to one JSON-RPC message, or null for a notification. */
    static ObjectNode reply(JsonNode message) {
        JsonNode id = message.get("id");
        if (id == null) {
            return null;
        }
        ObjectNode reply = NODES.objectNode();
        reply.put("jsonrpc", "2.0");
        reply.set("id", id);
        ObjectNode result = reply.putObject("result");
        String method = message.path("method").asText();
        if (method.equals("tools/call")) {
            ObjectNode content = result.putArray("content").addObject();
            content.put("type", "text");
            content.set("text", message.path("params").path("arguments").path("text"));
            result.put("isError", false);
        } else if (method.equals("initialize")) {
            result.put("protocolVersion", message.path("params").path("protocolVersion").asText("2025-06-18"));
            result.putObject("capabilities").putObject("tools");
            result.putObject("serverInfo").put("name", "limit").put("version", "1");
        }
        return reply;
    }

    /** One per connection: reassembles fragmented text and answers each message in order. */
    static final class EchoListener implements WsListener {
        private final StringBuilder parts = new StringBuilder();

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            String whole = text;
            if (!last || !parts.isEmpty()) {
                parts.append(text);
                if (!last) {
                    return;
                }
                whole = parts.toString();
                parts.setLength(0);
            }
            try {
                ObjectNode reply = reply(MAPPER.readTree(whole));
                if (reply != null) {
                    session.send(MAPPER.writeValueAsString(reply), true);
                }
            } catch (IOException e) {
                session.close(1007, "bad JSON");
            }
        }

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
            if (headers.contains(HeaderNames.create("Sec-WebSocket-Protocol"))
                    && headers.get(HeaderNames.create("Sec-WebSocket-Protocol")).allValues().contains("mcp")) {
                WritableHeaders<?> out = WritableHeaders.create();
                out.set(HeaderNames.create("Sec-WebSocket-Protocol"), "mcp");
                return Optional.of(out);
            }
            return Optional.empty();
        }
    }
}
