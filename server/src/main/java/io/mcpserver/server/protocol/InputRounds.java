package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The client input one multi round-trip request has gathered so far (2026-07-28). The server keeps
 * nothing between rounds but the id of each state it has accepted: the answers travel in the sealed
 * {@code requestState}, and each retry runs the tool (prompt, resource read) again from the start, handing it
 * the answers it already has. An ask is answered when an answer is recorded under its key for the same
 * question (method and params); asks without one are sent together in the next {@code input_required}.
 * A state is accepted once ({@link SpentStates}); its successor carries every answer so far.
 */
final class InputRounds {

    private static final int FORMAT = 2;
    /** The fingerprint of an answer sent without a state: it answers whatever is asked under its key. */
    private static final String UNBOUND = "*";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Params that carry the rounds themselves, not what the request is about. */
    private static final Set<String> ROUND_PARAMS = Set.of("_meta", "inputResponses", "requestState");

    private record Answer(String fingerprint, JsonNode result) {
    }

    private final RequestStateCodec codec;
    private final Duration ttl;
    private final String subject;
    private final String method;
    private final String digest;
    /** Answers by key: recorded in the state, plus the client's answers to what the state asked. */
    private final Map<String, Answer> answers;
    /** What the current run asked and has no answer to, by key. */
    private final Map<String, CallContext.Ask> pending = new LinkedHashMap<>();

    private InputRounds(RequestStateCodec codec, Duration ttl, String subject, String method, String digest,
                        Map<String, Answer> answers) {
        this.codec = codec;
        this.ttl = ttl;
        this.subject = subject;
        this.method = method;
        this.digest = digest;
        this.answers = answers;
    }

    /**
     * Reads the rounds of a request: none for a first attempt, else those sealed in its
     * {@code requestState} plus the client's answers to what that state asked. Answers under keys the
     * state did not ask for are ignored, as are answers sent without a state.
     *
     * @throws McpException -32602 when the state is forged, altered, expired, already used, or belongs to
     *                      another caller or request
     */
    static InputRounds of(RequestStateCodec codec, SpentStates spent, Duration ttl, String subject, String method,
                          JsonNode params) {
        String digest = digest(method, params);
        JsonNode state = params == null ? null : params.get("requestState");
        JsonNode responses = params == null ? null : params.get("inputResponses");
        if (responses != null && !responses.isNull() && !responses.isObject()) {
            throw McpException.invalidParams("inputResponses must be an object that maps each key of inputRequests "
                    + "to the client's result for it");
        }
        Map<String, Answer> answers = new LinkedHashMap<>();
        if (state == null || state.isNull()) {
            // answers without a state answer whatever the run asks under their keys: the client controls its
            // answers either way, the state only carries them from round to round
            if (responses != null && responses.isObject()) {
                responses.properties().forEach(e -> {
                    if (!e.getValue().isObject()) {
                        throw McpException.invalidParams("inputResponses['" + e.getKey() + "'] must be an object: "
                                + "the client's result for the request asked under that key");
                    }
                    answers.put(e.getKey(), new Answer(UNBOUND, e.getValue()));
                });
            }
            return new InputRounds(codec, ttl, subject, method, digest, answers);
        }
        if (!state.isTextual()) {
            throw RequestStateCodec.invalid("it must be the string the server returned, unchanged");
        }
        ObjectNode payload = codec.open(state.asText());
        if (payload.path("v").asInt() != FORMAT) {
            throw RequestStateCodec.invalid("its format is unknown");
        }
        long expires = payload.path("exp").asLong(0);
        if (System.currentTimeMillis() > expires) {
            throw RequestStateCodec.invalid("it expired at " + Instant.ofEpochMilli(expires));
        }
        if (!subject.equals(payload.path("sub").asText(null))) {
            throw RequestStateCodec.invalid("it was issued to a different caller");
        }
        if (!method.equals(payload.path("m").asText(null)) || !digest.equals(payload.path("d").asText(null))) {
            throw RequestStateCodec.invalid("it was issued for a different request (the method, name, uri or "
                    + "arguments differ)");
        }
        if (!spent.spend(payload.path("id").asText(""), Instant.ofEpochMilli(expires))) {
            throw RequestStateCodec.invalid("it was already used (each requestState is good for one retry)");
        }
        payload.path("a").properties().forEach(e ->
                answers.put(e.getKey(), new Answer(e.getValue().path("f").asText(), e.getValue().path("r"))));
        payload.path("p").properties().forEach(e -> {
            JsonNode answer = responses == null ? null : responses.get(e.getKey());
            if (answer == null || answer.isNull()) {
                return; // still unanswered: the run will ask again
            }
            if (!answer.isObject()) {
                throw McpException.invalidParams("inputResponses['" + e.getKey() + "'] must be an object: the "
                        + "client's result for " + e.getValue().path("m").asText("the request"));
            }
            answers.put(e.getKey(), new Answer(e.getValue().path("f").asText(), answer));
        });
        return new InputRounds(codec, ttl, subject, method, digest, answers);
    }

    /**
     * The recorded answers to what the running code asks now; the asks without an answer become pending
     * and the result is null.
     */
    Map<String, JsonNode> replay(Map<String, CallContext.Ask> asks) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        asks.forEach((key, ask) -> {
            Answer answer = answers.get(key);
            boolean unbound = answer != null && answer.fingerprint().equals(UNBOUND);
            if (answer != null && (unbound || answer.fingerprint().equals(fingerprint(ask)))) {
                if (unbound) {
                    answers.put(key, new Answer(fingerprint(ask), answer.result())); // bound from now on
                }
                found.put(key, answer.result());
            } else {
                answers.remove(key); // an answer to a different question is no answer
                pending.put(key, ask);
            }
        });
        return pending.isEmpty() ? found : null;
    }

    boolean needsInput() {
        return !pending.isEmpty();
    }

    /** The {@code InputRequiredResult} for the pending asks, with every answer so far sealed in its state. */
    ObjectNode inputRequiredResult() {
        ObjectNode result = Json.object();
        result.put("resultType", "input_required");
        ObjectNode requests = result.putObject("inputRequests");
        ObjectNode payload = Json.object();
        payload.put("v", FORMAT);
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        payload.put("id", Base64.getUrlEncoder().withoutPadding().encodeToString(id));
        payload.put("exp", System.currentTimeMillis() + ttl.toMillis());
        payload.put("sub", subject);
        payload.put("m", method);
        payload.put("d", digest);
        ObjectNode recorded = payload.putObject("a");
        answers.forEach((key, a) -> {
            if (!a.fingerprint().equals(UNBOUND)) { // answers to nothing asked are not carried on
                recorded.putObject(key).put("f", a.fingerprint()).set("r", a.result());
            }
        });
        ObjectNode asked = payload.putObject("p");
        pending.forEach((key, ask) -> {
            requests.putObject(key).put("method", ask.method()).set("params", ask.params());
            asked.putObject(key).put("m", ask.method()).put("f", fingerprint(ask));
        });
        result.put("requestState", codec.seal(payload));
        return result;
    }

    /** What the request is about: its method and params, without the round-trip fields, in a canonical form. */
    private static String digest(String method, JsonNode params) {
        ObjectNode salient = Json.object();
        if (params != null && params.isObject()) {
            params.properties().forEach(e -> {
                if (!ROUND_PARAMS.contains(e.getKey())) {
                    salient.set(e.getKey(), e.getValue());
                }
            });
        }
        return sha256(method + "\n" + Json.write(canonical(salient)));
    }

    private static String fingerprint(CallContext.Ask ask) {
        return sha256(ask.method() + "\n" + Json.write(canonical(ask.params())));
    }

    /** The same tree with object keys sorted, so equal JSON gives equal text. */
    static JsonNode canonical(JsonNode node) {
        if (node == null) {
            return Json.object();
        }
        if (node.isObject()) {
            ObjectNode sorted = Json.object();
            Set<String> names = new TreeSet<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            names.forEach(n -> sorted.set(n, canonical(node.get(n))));
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode a = Json.array();
            node.forEach(e -> a.add(canonical(e)));
            return a;
        }
        return node;
    }

    private static String sha256(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
