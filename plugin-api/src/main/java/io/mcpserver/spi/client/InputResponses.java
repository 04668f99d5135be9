package io.mcpserver.spi.client;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The client's answers to the things one {@link io.mcpserver.spi.RequestContext#ask} asked, by the keys
 * they were asked under. Each answer has the type of its request: {@link ElicitationResult} for an
 * elicitation (form or URL), {@link SamplingResult} for sampling, a list of {@link Root} for roots.
 */
public final class InputResponses {

    private final Map<String, Object> answers;

    public InputResponses(Map<String, Object> answers) {
        this.answers = Map.copyOf(answers);
    }

    public boolean has(String key) {
        return answers.containsKey(key);
    }

    public ElicitationResult elicitation(String key) {
        return get(key, ElicitationResult.class);
    }

    public SamplingResult sampling(String key) {
        return get(key, SamplingResult.class);
    }

    @SuppressWarnings("unchecked")
    public List<Root> roots(String key) {
        return get(key, List.class);
    }

    /** Every answer by key. */
    public Map<String, Object> asMap() {
        return answers;
    }

    private <T> T get(String key, Class<T> type) {
        Object answer = answers.get(key);
        if (answer == null) {
            throw new NoSuchElementException("no answer under '" + key + "'; asked: " + answers.keySet());
        }
        if (!type.isInstance(answer)) {
            throw new ClassCastException("the answer under '" + key + "' is a " + answer.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(answer);
    }
}
