package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The client input one multi round-trip request has gathered so far (2026-07-28). The server keeps
 * nothing between rounds: the answers travel in the sealed {@code requestState}, and each retry runs
 * the tool again from the start, handing it the earlier answers in the order it asks. A tool must
 * therefore ask the same things in the same order given the same arguments; when an ask differs
 * from the recorded one, the answers from there on are dropped and the client is asked again.
 */
final class InputRounds {

    private static final int FORMAT = 1;
    /** Params that carry the rounds themselves, not what the request is about. */
    private static final Set<String> ROUND_PARAMS = Set.of("_meta", "inputResponses", "requestState");

    private record Answer(String fingerprint, JsonNode result) {
    }

    private record Ask(int index, String key, String method, ObjectNode params, String fingerprint) {
    }

    private final RequestStateCodec codec;
    private final Duration ttl;
    private final String subject;
    private final String method;
    private final String digest;
    private final List<Answer> answers;
    private int next;
    private Ask pending;

    private InputRounds(RequestStateCodec codec, Duration ttl, String subject, String method, String digest,
                        List<Answer> answers) {
        this.codec = codec;
        this.ttl = ttl;
        this.subject = subject;
        this.method = method;
        this.digest = digest;
        this.answers = answers;
    }

    /**
     * Reads the rounds of a request: none for a first attempt, else those sealed in its
     * {@code requestState} plus the client's answer to the last ask.
     *
     * @throws McpException -32602 when the state is forged, altered, expired, or belongs to another caller or request
     */
    static InputRounds of(RequestStateCodec codec, Duration ttl, String subject, String method, JsonNode params) {
        String digest = digest(method, params);
        JsonNode state = params == null ? null : params.get("requestState");
        JsonNode responses = params == null ? null : params.get("inputResponses");
        if (responses != null && !responses.isNull() && !responses.isObject()) {
            throw McpException.invalidParams("inputResponses must be an object that maps each key of inputRequests "
                    + "to the client's result for it");
        }
        List<Answer> answers = new ArrayList<>();
        if (state == null || state.isNull()) {
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
        for (JsonNode a : payload.path("a")) {
            answers.add(new Answer(a.path("f").asText(), a.path("r")));
        }
        JsonNode asked = payload.get("p");
        if (asked != null && asked.isObject() && responses != null && responses.isObject()) {
            String key = asked.path("k").asText();
            JsonNode answer = responses.get(key);
            if (answer != null && !answer.isNull()) {
                if (!answer.isObject()) {
                    throw McpException.invalidParams("inputResponses['" + key + "'] must be an object: the client's "
                            + "result for " + asked.path("m").asText("the request"));
                }
                answers.add(new Answer(asked.path("f").asText(), answer));
            }
        }
        return new InputRounds(codec, ttl, subject, method, digest, answers);
    }

    /**
     * The recorded answer to the next thing the running tool asks, or null when the client has not
     * answered it yet (it becomes the pending ask).
     */
    JsonNode replay(String askMethod, ObjectNode askParams) {
        String fingerprint = fingerprint(askMethod, askParams);
        int index = next++;
        if (index < answers.size()) {
            if (answers.get(index).fingerprint().equals(fingerprint)) {
                return answers.get(index).result();
            }
            answers.subList(index, answers.size()).clear();
        }
        pending = new Ask(index, "input-" + index, askMethod, askParams, fingerprint);
        return null;
    }

    boolean needsInput() {
        return pending != null;
    }

    /** The {@code InputRequiredResult} for the pending ask, its state sealed. */
    ObjectNode inputRequiredResult() {
        ObjectNode result = Json.object();
        result.put("resultType", "input_required");
        ObjectNode request = result.putObject("inputRequests").putObject(pending.key());
        request.put("method", pending.method());
        request.set("params", pending.params());
        ObjectNode payload = Json.object();
        payload.put("v", FORMAT);
        payload.put("exp", System.currentTimeMillis() + ttl.toMillis());
        payload.put("sub", subject);
        payload.put("m", method);
        payload.put("d", digest);
        ArrayNode recorded = payload.putArray("a");
        for (Answer a : answers.subList(0, Math.min(pending.index(), answers.size()))) {
            recorded.addObject().put("f", a.fingerprint()).set("r", a.result());
        }
        payload.putObject("p").put("k", pending.key()).put("m", pending.method()).put("f", pending.fingerprint());
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

    private static String fingerprint(String method, JsonNode params) {
        return sha256(method + "\n" + Json.write(canonical(params)));
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
