package io.mcpserver.spi.completion;

import io.mcpserver.spi.RequestContext;

import java.util.Map;

/** Suggests values for the arguments of one prompt or one resource template ({@code completion/complete}). */
public interface CompletionProvider {

    CompletionRef ref();

    /**
     * @param argumentName the argument being completed
     * @param prefix       what the user typed so far
     * @param context      values of arguments already resolved, possibly empty
     */
    Completion complete(String argumentName, String prefix, Map<String, String> context, RequestContext request)
            throws Exception;
}
