package io.mcpserver.server.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.protocol.CallContext;
import io.mcpserver.server.protocol.InFlightRequest;
import io.mcpserver.server.protocol.Session;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Work that may become a task part-way: it runs on a thread of its own; until it calls {@link #startTask()},
 * its asks are the request's own (multi-round, answered by the client's retry) and the request waits for it.
 * Then the request answers with the task, and the work goes on as that task.
 */
public final class Deferred {

    /** What the request answers with. */
    public sealed interface Outcome {
    }

    public record Result(JsonNode result) implements Outcome {
    }

    public record Started(TaskRecord task) implements Outcome {
    }

    private final TaskEngine engine;
    private final Session session;
    private final String method;
    private final CallContext requestContext;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile LiveTask task;
    private volatile InFlightRequest worker;

    Deferred(TaskEngine engine, Session session, String method, CallContext requestContext) {
        this.engine = engine;
        this.session = session;
        this.method = method;
        this.requestContext = requestContext;
    }

    /**
     * Runs the work and waits for its first outcome. A cancelled request cancels the work while it is still
     * the request's; once it is a task, only {@code tasks/cancel} and its TTL stop it.
     *
     * @throws Throwable what the work threw before it became a task (so the request fails as it would have)
     */
    public Outcome run(TaskEngine.Work work) throws Throwable {
        Thread.ofVirtual().name("mcp-deferred-" + requestContext.request().key()).start(() -> {
            InFlightRequest req = InFlightRequest.ofCurrentThread("deferred:" + requestContext.request().key());
            worker = req;
            requestContext.request().onCancel(() -> {
                if (task == null) {
                    req.cancel(requestContext.request().cancelReason());
                }
            });
            try {
                JsonNode result = work.run(new DeferredContext(req));
                LiveTask t = task;
                if (t == null) {
                    outcome.complete(new Result(result));
                } else {
                    t.finish(result, null);
                }
            } catch (Throwable e) {
                LiveTask t = task;
                if (t == null) {
                    outcome.completeExceptionally(e);
                } else {
                    t.finish(null, e);
                }
            }
        });
        try {
            return outcome.get();
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (InterruptedException e) {
            InFlightRequest w = worker;
            if (w != null && task == null) {
                w.cancel(requestContext.request().cancelReason());
            }
            throw e;
        }
    }

    /** The work's context: the request's until the task starts, the task's after. */
    private final class DeferredContext extends CallContext {

        DeferredContext(InFlightRequest request) {
            // logs go on the request's stream while there is one; a task's go nowhere
            super(session, request, message -> {
                if (task == null) {
                    requestContext.sink().send(message);
                }
            }, null, null);
        }

        @Override
        protected Map<String, JsonNode> askAll(Map<String, Ask> asks) throws InterruptedException {
            LiveTask t = task;
            return t == null ? requestContext.askAllOf(asks) : t.await(asks);
        }

        @Override
        public boolean startTask() {
            if (task == null) {
                LiveTask t = engine.admit(session, method, false);
                t.adopt(request());
                task = t;
                outcome.complete(new Started(t.created));
            }
            return true;
        }
    }
}
