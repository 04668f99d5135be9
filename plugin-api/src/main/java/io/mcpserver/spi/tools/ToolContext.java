package io.mcpserver.spi.tools;

import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.InputRequest;
import io.mcpserver.spi.client.Root;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.client.UnsupportedByClientException;

import java.util.List;
import java.util.Map;

/**
 * What a tool call can do besides returning: report progress, log, watch for cancellation, and ask
 * the client for things. The asking methods block until the client answers; they throw
 * {@link UnsupportedByClientException} when the client did not declare the capability, so check
 * {@link #clientSupports} first when the tool can do without.
 */
public interface ToolContext extends RequestContext {

    /**
     * Reports progress. Sent only when the client asked for progress (a progress token); values must
     * increase. {@code total} and {@code message} may be null.
     */
    void progress(double progress, Double total, String message);

    @Override
    boolean clientSupports(ClientFeature feature);

    /** Asks the client's model for a completion ({@code sampling/createMessage}). */
    SamplingResult sample(SamplingRequest request) throws UnsupportedByClientException, InterruptedException;

    /**
     * Asks the user for input ({@code elicitation/create}, form mode).
     *
     * @param requestedSchema a flat object JSON Schema of primitive properties
     */
    ElicitationResult elicit(String message, Map<String, Object> requestedSchema)
            throws UnsupportedByClientException, InterruptedException;

    /** The client's roots ({@code roots/list}). */
    List<Root> roots() throws UnsupportedByClientException, InterruptedException;

    /**
     * Turns this call into a task now, for a tool whose descriptor says it starts its task itself
     * ({@link ToolDescriptor.Builder#deferTaskStart}): what it asked before was answered within the request
     * (multi-round); the client now gets the task, and the tool runs on as it, asks waiting in
     * {@code input_required}. Returns false, doing nothing, when the call is not run as a task.
     */
    default boolean startTask() {
        return false;
    }

    /**
     * Asks the user to open {@code url} for an interaction that must not pass through the client
     * ({@code elicitation/create}, URL mode); the answer's action says whether the user agreed.
     */
    default ElicitationResult elicitUrl(String message, String url, String elicitationId)
            throws UnsupportedByClientException, InterruptedException {
        return ask(Map.of("url-elicitation", InputRequest.elicitUrl(message, url, elicitationId)))
                .elicitation("url-elicitation");
    }
}
