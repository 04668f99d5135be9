package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rounds of one multi round-trip request, without a server: what is asked, sealed, replayed and refused. */
class InputRoundsTest {

    private static final Duration TTL = Duration.ofMinutes(5);

    private final RequestStateCodec codec = new RequestStateCodec(RequestStateCodec.randomKey());
    private final SpentStates spent = SpentStates.inMemory(Clock.systemUTC());

    private static ObjectNode params(String json) {
        try {
            return (ObjectNode) Json.parse(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    private static Map<String, CallContext.Ask> ask(String key, String message) {
        Map<String, CallContext.Ask> asks = new LinkedHashMap<>();
        asks.put(key, new CallContext.Ask(null, "elicitation/create", params("{\"message\":\"" + message + "\"}")));
        return asks;
    }

    private InputRounds rounds(String subject, ObjectNode p) {
        return InputRounds.of(codec, spent, TTL, subject, "tools/call", p);
    }

    /** The first round: the ask goes out, and comes back sealed in a state. */
    private ObjectNode firstRound(ObjectNode p) {
        InputRounds first = rounds("alice", p);
        assertNull(first.replay(ask("name", "Your name?")), "nothing answered yet");
        assertTrue(first.needsInput());
        return first.inputRequiredResult();
    }

    private static ObjectNode retry(ObjectNode p, ObjectNode asked, String answerJson) {
        ObjectNode retry = p.deepCopy();
        retry.set("requestState", asked.get("requestState"));
        if (answerJson != null) {
            retry.putObject("inputResponses").set("name", params(answerJson));
        }
        return retry;
    }

    @Test
    void anAskIsSentThenItsAnswerIsReplayedOnTheRetry() {
        ObjectNode p = params("{\"name\":\"greet\",\"arguments\":{\"x\":1}}");
        ObjectNode asked = firstRound(p);
        assertEquals("input_required", asked.path("resultType").asText());
        assertEquals("elicitation/create", asked.at("/inputRequests/name/method").asText(), asked.toString());
        assertEquals("Your name?", asked.at("/inputRequests/name/params/message").asText());

        InputRounds second = rounds("alice", retry(p, asked, "{\"action\":\"accept\",\"content\":{\"n\":\"Al\"}}"));
        Map<String, JsonNode> answers = second.replay(ask("name", "Your name?"));
        assertEquals("Al", answers.get("name").at("/content/n").asText());
        assertFalse(second.needsInput());
    }

    @Test
    void anAnswerToADifferentQuestionIsNoAnswer() {
        ObjectNode p = params("{\"name\":\"greet\",\"arguments\":{}}");
        ObjectNode asked = firstRound(p);
        InputRounds second = rounds("alice", retry(p, asked, "{\"action\":\"accept\",\"content\":{}}"));
        assertNull(second.replay(ask("name", "Your full name?")), "the question changed between rounds");
        assertTrue(second.needsInput());
    }

    @Test
    void aStateIsGoodForOneRetryOnlyForItsCallerAndRequest() {
        ObjectNode p = params("{\"name\":\"greet\",\"arguments\":{\"x\":1}}");
        ObjectNode asked = firstRound(p);
        String answer = "{\"action\":\"decline\"}";

        assertEquals(-32602, assertThrows(McpException.class, () -> rounds("mallory", retry(p, asked, answer))).code(),
                "another caller");
        ObjectNode otherArguments = retry(p, asked, answer);
        otherArguments.putObject("arguments").put("x", 2);
        assertEquals(-32602, assertThrows(McpException.class, () -> rounds("alice", otherArguments)).code(),
                "the same state for other arguments");
        ObjectNode altered = retry(p, asked, answer);
        altered.put("requestState", asked.path("requestState").asText() + "x");
        assertEquals(-32602, assertThrows(McpException.class, () -> rounds("alice", altered)).code(), "altered");

        rounds("alice", retry(p, asked, answer)); // the one good retry
        assertEquals(-32602, assertThrows(McpException.class, () -> rounds("alice", retry(p, asked, answer))).code(),
                "the same state again");
    }

    @Test
    void anExpiredStateIsRefused() {
        ObjectNode p = params("{\"name\":\"greet\"}");
        InputRounds first = InputRounds.of(codec, spent, Duration.ofMillis(-1), "alice", "tools/call", p);
        first.replay(ask("name", "Your name?"));
        ObjectNode asked = first.inputRequiredResult();
        McpException e = assertThrows(McpException.class, () -> rounds("alice", retry(p, asked, "{\"action\":\"cancel\"}")));
        assertEquals(-32602, e.code());
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void answersMustBeObjects() {
        ObjectNode p = params("{\"name\":\"greet\"}");
        ObjectNode asked = firstRound(p);
        ObjectNode bad = retry(p, asked, null);
        bad.putObject("inputResponses").put("name", "Al");
        assertEquals(-32602, assertThrows(McpException.class, () -> rounds("alice", bad)).code());
        ObjectNode notAMap = params("{\"name\":\"greet\",\"inputResponses\":[1]}");
        assertEquals(-32602, assertThrows(McpException.class, () -> rounds("alice", notAMap)).code());
    }

    @Test
    void anAnswerWithoutAStateAnswersWhateverIsAskedUnderItsKey() {
        ObjectNode p = params("{\"name\":\"greet\",\"inputResponses\":{\"name\":{\"action\":\"accept\"}}}");
        InputRounds rounds = rounds("alice", p);
        assertEquals("accept", rounds.replay(ask("name", "Anything?")).get("name").path("action").asText());
    }

    @Test
    void canonicalFormSortsKeysAtEveryDepth() {
        assertEquals(Json.write(InputRounds.canonical(params("{\"a\":{\"c\":1,\"b\":[{\"z\":1,\"y\":2}]},\"0\":0}"))),
                "{\"0\":0,\"a\":{\"b\":[{\"y\":2,\"z\":1}],\"c\":1}}");
    }
}
