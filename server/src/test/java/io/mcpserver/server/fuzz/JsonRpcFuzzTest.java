package io.mcpserver.server.fuzz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.Session;

import java.time.Duration;

/**
 * JSON-RPC message validation and the method handlers behind it: each input is one message given to an initialized
 * session through the dispatcher's synchronous entry ({@code handle}, as HTTP uses it). The reply, if any, must be
 * a clear JSON-RPC message: never -32603 and never an exception.
 */
class JsonRpcFuzzTest {

    private static final McpCore CORE = FuzzCore.create();
    private static final Replies SESSION_SINK = new Replies();
    private static final Session SESSION = initialized();

    private static Session initialized() {
        Session session = CORE.sessions().open("fuzz", FuzzCore.anonymous(), SESSION_SINK);
        try {
            CORE.dispatcher().handle(session, Json.parse("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                    + "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}"), SESSION_SINK);
            CORE.dispatcher().handle(session, Json.parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                    SESSION_SINK);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return session;
    }

    @FuzzTest
    void message(byte[] bytes) throws InterruptedException {
        JsonNode message;
        try {
            message = Json.parse(bytes);
        } catch (java.io.IOException e) {
            return; // the transports answer -32700 before the dispatcher sees it (NdjsonFuzzTest covers that path)
        }
        Replies replies = new Replies();
        CORE.dispatcher().handle(SESSION, message, replies);
        if (!SESSION.awaitIdle(Duration.ofSeconds(5))) {
            throw new AssertionError("a request still running 5 s after it was handled");
        }
        replies.rethrow();
        SESSION_SINK.rethrow();
    }
}
