package io.mcpserver.testkit;

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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@link ToolContext} (and so a {@code RequestContext} for resources, prompts and completions) for plain unit
 * tests that call a plugin's code directly, without a server: it records what the code sends (progress, log
 * messages, sampling and elicitation requests) and answers client requests with what the test set up.
 *
 * <pre>{@code
 * RecordingToolContext context = new RecordingToolContext().supporting(ClientFeature.SAMPLING)
 *         .sampler(request -> new SamplingResult(Role.ASSISTANT, Content.text("Paris."), "test-model", "endTurn"));
 * ToolResult result = tools.askModel("Capital of France?", context);
 * assertEquals(1, context.samplingRequests().size());
 * }</pre>
 *
 * <p>By default the client supports nothing (sampling, elicitation and roots throw
 * {@link UnsupportedByClientException}, as the server does), the caller is {@link #DEFAULT_CALLER} and nothing is
 * cancelled. Safe to use from several threads.
 */
public final class RecordingToolContext implements ToolContext {

    /** The caller unless {@link #caller(Caller)} says otherwise: subject {@code tester} on transport {@code test}. */
    public static final Caller DEFAULT_CALLER = new Caller("tester", Set.of(), Set.of(), "test", "client-1", Map.of());

    /** One {@code progress} call. */
    public record Progress(double progress, Double total, String message) {
    }

    /** One {@code log} call. */
    public record Log(LogLevel level, String logger, Object data) {
    }

    private final List<Progress> progress = new CopyOnWriteArrayList<>();
    private final List<Log> logs = new CopyOnWriteArrayList<>();
    private final List<SamplingRequest> samplingRequests = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> elicitationSchemas = new CopyOnWriteArrayList<>();
    private final List<Runnable> cancelActions = new CopyOnWriteArrayList<>();
    private final Set<ClientFeature> supported = EnumSet.noneOf(ClientFeature.class);
    private volatile boolean cancelled;
    private volatile int cancelAfterProgress;
    private volatile Caller caller = DEFAULT_CALLER;
    private volatile Function<SamplingRequest, SamplingResult> sampler;
    private volatile BiFunction<String, Map<String, Object>, ElicitationResult> elicitor;
    private volatile List<Root> roots = List.of();

    // ---- set up --------------------------------------------------------------------------------------------

    /** Declares client capabilities; only these make {@link #clientSupports} true and the asking methods work. */
    public RecordingToolContext supporting(ClientFeature... features) {
        synchronized (supported) {
            supported.addAll(List.of(features));
        }
        return this;
    }

    /** Answers {@link #sample} (declare {@link ClientFeature#SAMPLING} too). */
    public RecordingToolContext sampler(Function<SamplingRequest, SamplingResult> sampler) {
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        return this;
    }

    /** Answers {@link #elicit} from the message and requested schema (declare {@link ClientFeature#ELICITATION}). */
    public RecordingToolContext elicitor(BiFunction<String, Map<String, Object>, ElicitationResult> elicitor) {
        this.elicitor = Objects.requireNonNull(elicitor, "elicitor");
        return this;
    }

    /** What {@link #roots()} answers (declare {@link ClientFeature#ROOTS} too). */
    public RecordingToolContext roots(List<Root> roots) {
        this.roots = List.copyOf(roots);
        return this;
    }

    public RecordingToolContext caller(Caller caller) {
        this.caller = Objects.requireNonNull(caller, "caller");
        return this;
    }

    /** Cancels the request once this many progress reports were made (0: never), as a client that lost patience. */
    public RecordingToolContext cancelAfterProgress(int reports) {
        this.cancelAfterProgress = reports;
        return this;
    }

    /** Cancels the request now: {@link #isCancelled()} turns true and the {@link #onCancel} actions run. */
    public RecordingToolContext cancel() {
        if (!cancelled) {
            cancelled = true;
            cancelActions.forEach(Runnable::run);
        }
        return this;
    }

    // ---- what the code did ---------------------------------------------------------------------------------

    /** Every progress report, in order. */
    public List<Progress> progress() {
        return List.copyOf(progress);
    }

    /** Every log message sent to the client, in order. */
    public List<Log> logs() {
        return List.copyOf(logs);
    }

    public List<SamplingRequest> samplingRequests() {
        return List.copyOf(samplingRequests);
    }

    /** The requested schema of every elicitation, in order. */
    public List<Map<String, Object>> elicitationSchemas() {
        return List.copyOf(elicitationSchemas);
    }

    // ---- ToolContext ---------------------------------------------------------------------------------------

    @Override
    public void progress(double value, Double total, String message) {
        progress.add(new Progress(value, total, message));
        int limit = cancelAfterProgress;
        if (limit > 0 && progress.size() >= limit) {
            cancel();
        }
    }

    @Override
    public boolean clientSupports(ClientFeature feature) {
        synchronized (supported) {
            return supported.contains(feature);
        }
    }

    @Override
    public SamplingResult sample(SamplingRequest request) {
        require(ClientFeature.SAMPLING, sampler, "sampler");
        samplingRequests.add(request);
        return sampler.apply(request);
    }

    @Override
    public ElicitationResult elicit(String message, Map<String, Object> requestedSchema) {
        require(ClientFeature.ELICITATION, elicitor, "elicitor");
        elicitationSchemas.add(requestedSchema);
        return elicitor.apply(message, requestedSchema);
    }

    @Override
    public List<Root> roots() {
        require(ClientFeature.ROOTS, roots, "roots");
        return roots;
    }

    private void require(ClientFeature feature, Object answer, String setter) {
        if (!clientSupports(feature)) {
            throw new UnsupportedByClientException(feature);
        }
        if (answer == null) {
            throw new IllegalStateException("the test declared " + feature + " but set no " + setter + "(…)");
        }
    }

    @Override
    public Caller caller() {
        return caller;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
        cancelActions.add(action);
        if (cancelled) {
            action.run();
        }
    }

    @Override
    public void log(LogLevel level, String logger, Object data) {
        logs.add(new Log(level, logger, data));
    }
}
