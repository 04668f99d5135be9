package io.mcpserver.plugins.conformance;

import io.mcpserver.spi.Caller;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.Root;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.client.UnsupportedByClientException;
import io.mcpserver.spi.tools.ToolContext;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;

/** A ToolContext that records what a tool sends and answers client requests with canned replies. */
final class RecordingToolContext implements ToolContext {

    record Progress(double progress, Double total, String message) {
    }

    record Log(LogLevel level, String logger, Object data) {
    }

    final List<Progress> progress = new CopyOnWriteArrayList<>();
    final List<Log> logs = new CopyOnWriteArrayList<>();
    final List<SamplingRequest> samplingRequests = new CopyOnWriteArrayList<>();
    final List<Map<String, Object>> elicitationSchemas = new CopyOnWriteArrayList<>();
    final Set<ClientFeature> supported = EnumSet.noneOf(ClientFeature.class);
    volatile boolean cancelled;
    /** Cancels the request once this many progress notifications were sent; 0 for never. */
    volatile int cancelAfterProgress;
    Function<SamplingRequest, SamplingResult> sampler;
    BiFunction<String, Map<String, Object>, ElicitationResult> elicitor;
    List<Root> clientRoots = List.of();

    RecordingToolContext supporting(ClientFeature... features) {
        supported.addAll(List.of(features));
        return this;
    }

    @Override
    public void progress(double value, Double total, String message) {
        progress.add(new Progress(value, total, message));
        if (cancelAfterProgress > 0 && progress.size() >= cancelAfterProgress) {
            cancelled = true;
        }
    }

    @Override
    public boolean clientSupports(ClientFeature feature) {
        return supported.contains(feature);
    }

    @Override
    public SamplingResult sample(SamplingRequest request) {
        if (!supported.contains(ClientFeature.SAMPLING)) {
            throw new UnsupportedByClientException(ClientFeature.SAMPLING);
        }
        samplingRequests.add(request);
        return sampler.apply(request);
    }

    @Override
    public ElicitationResult elicit(String message, Map<String, Object> requestedSchema) {
        if (!supported.contains(ClientFeature.ELICITATION)) {
            throw new UnsupportedByClientException(ClientFeature.ELICITATION);
        }
        elicitationSchemas.add(requestedSchema);
        return elicitor.apply(message, requestedSchema);
    }

    @Override
    public List<Root> roots() {
        if (!supported.contains(ClientFeature.ROOTS)) {
            throw new UnsupportedByClientException(ClientFeature.ROOTS);
        }
        return clientRoots;
    }

    @Override
    public Caller caller() {
        return new Caller("tester", Set.of(), Set.of(), "test", "client-1", Map.of());
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
    }

    @Override
    public void log(LogLevel level, String logger, Object data) {
        logs.add(new Log(level, logger, data));
    }
}
