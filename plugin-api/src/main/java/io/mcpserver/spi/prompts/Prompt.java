package io.mcpserver.spi.prompts;

import io.mcpserver.spi.RequestContext;

import java.util.Map;

/** A prompt template. The server checks required arguments before {@link #get} runs. */
public interface Prompt {

    PromptDescriptor descriptor();

    PromptResult get(Map<String, String> arguments, RequestContext context) throws Exception;

    static Prompt of(PromptDescriptor descriptor, Getter getter) {
        return new Prompt() {
            @Override
            public PromptDescriptor descriptor() {
                return descriptor;
            }

            @Override
            public PromptResult get(Map<String, String> arguments, RequestContext context) throws Exception {
                return getter.get(arguments, context);
            }
        };
    }

    @FunctionalInterface
    interface Getter {
        PromptResult get(Map<String, String> arguments, RequestContext context) throws Exception;
    }
}
