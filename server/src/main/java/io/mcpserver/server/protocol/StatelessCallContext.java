package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.spi.client.ClientRequestException;

import java.util.Map;

/**
 * The call context of a 2026-07-28 request. The server may not send requests to the client, so
 * sampling, elicitation and roots are answered from the request's earlier rounds, or end the call
 * with {@code input_required} (multi round-trip requests).
 */
final class StatelessCallContext extends CallContext {

    private final String method;
    private final InputRounds rounds;

    /**
     * @param rounds the request's rounds; null for methods that cannot ask the client
     */
    StatelessCallContext(Session session, InFlightRequest request, MessageSink sink, JsonNode progressToken,
                      ClientRequester requester, String method, InputRounds rounds) {
        super(session, request, sink, progressToken, requester);
        this.method = method;
        this.rounds = rounds;
    }

    @Override
    protected Map<String, JsonNode> askAll(Map<String, Ask> asks) {
        if (rounds == null) {
            throw new ClientRequestException(0, "a " + method + " request cannot ask the client for input");
        }
        Map<String, JsonNode> answers = rounds.replay(asks);
        if (answers == null) {
            throw new InputRequired(String.join(", ", asks.keySet()));
        }
        return answers;
    }

    boolean needsInput() {
        return rounds != null && rounds.needsInput();
    }

    ObjectNode inputRequiredResult() {
        return rounds.inputRequiredResult();
    }
}
