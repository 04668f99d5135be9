package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mcpserver.spi.client.ClientRequestException;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Sends server→client requests (sampling, elicitation, roots, ping) and waits for the matching response. */
public final class ClientRequester {

    private final Duration timeout;

    public ClientRequester(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Sends {@code method} to the client through {@code sink} and blocks until it answers.
     *
     * @return the {@code result} object of the response
     * @throws ClientRequestException when the client answers with an error or not in time
     * @throws InterruptedException   when the calling request is cancelled meanwhile
     */
    public JsonNode request(Session session, MessageSink sink, String method, ObjectNode params)
            throws InterruptedException {
        if (session.isClosed()) {
            throw new ClientRequestException(0, "the client is gone");
        }
        String id = session.nextClientRequestId();
        CompletableFuture<JsonNode> response = session.expectResponse(id);
        try {
            sink.send(JsonRpc.request(TextNode.valueOf(id), method, params));
            JsonNode message = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode error = message.get("error");
            if (error != null) {
                throw new ClientRequestException(error.path("code").asInt(ErrorCodes.INTERNAL_ERROR),
                        "the client refused " + method + ": " + error.path("message").asText("no message"));
            }
            return message.path("result");
        } catch (TimeoutException e) {
            throw new ClientRequestException(0, "the client did not answer " + method + " within "
                    + timeout.toSeconds() + " s");
        } catch (ExecutionException | CancellationException e) {
            throw new ClientRequestException(0, "the client is gone");
        } finally {
            session.forgetResponse(id);
        }
    }
}
