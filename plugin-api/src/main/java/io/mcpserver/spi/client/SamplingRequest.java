package io.mcpserver.spi.client;

import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.Role;

import java.util.List;
import java.util.Map;

/**
 * A {@code sampling/createMessage} request.
 *
 * @param modelPreferences hints and priorities as in the spec ({@code hints}, {@code costPriority}…), or null
 * @param extra            further params passed through as they are (e.g. {@code stopSequences}), or null
 */
public record SamplingRequest(List<Message> messages, String systemPrompt, int maxTokens, Double temperature,
                              Map<String, Object> modelPreferences, Map<String, Object> extra) {

    public SamplingRequest {
        messages = List.copyOf(messages);
    }

    /** A single user message asking for at most {@code maxTokens}. */
    public static SamplingRequest ofUserText(String text, int maxTokens) {
        return new SamplingRequest(List.of(new Message(Role.USER, Content.text(text))), null, maxTokens, null, null,
                null);
    }

    public record Message(Role role, Content content) {
    }
}
