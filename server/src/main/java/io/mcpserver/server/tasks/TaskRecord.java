package io.mcpserver.server.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the server keeps of one task: plain values only, so that any {@link TaskStore} can hold it.
 *
 * @param id            the task id, unguessable
 * @param owner         who created it (the caller's subject); only they may see or change it
 * @param method        the request it runs, e.g. {@code tools/call}
 * @param status        where it is
 * @param statusMessage a line for people, or null
 * @param createdAt     when it was created; it is kept until {@code createdAt + ttl}
 * @param lastUpdatedAt when its status last changed
 * @param ttl           how long it is kept after creation, whatever its status
 * @param pollInterval  how often a client should ask for it
 * @param result        the request's result once {@link TaskStatus#COMPLETED}, else null
 * @param error         the JSON-RPC error ({@code code}, {@code message}, {@code data}) once {@link TaskStatus#FAILED}
 * @param inputRequests what it waits for while {@link TaskStatus#INPUT_REQUIRED}, by key; else null
 */
public record TaskRecord(String id, String owner, String method, TaskStatus status, String statusMessage,
                         Instant createdAt, Instant lastUpdatedAt, Duration ttl, Duration pollInterval,
                         JsonNode result, JsonNode error, ObjectNode inputRequests) {

    public TaskRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(ttl, "ttl");
    }

    public static TaskRecord working(String id, String owner, String method, Instant now, Duration ttl,
                                     Duration pollInterval) {
        return new TaskRecord(id, owner, method, TaskStatus.WORKING, null, now, now, ttl, pollInterval, null, null,
                null);
    }

    public Instant expiresAt() {
        return createdAt.plus(ttl);
    }

    /** The same task in another status; a terminal task does not change. */
    public TaskRecord to(TaskStatus next, String message, Instant now) {
        if (status.isTerminal()) {
            return this;
        }
        return new TaskRecord(id, owner, method, next, message, createdAt, now, ttl, pollInterval, null, null, null);
    }

    public TaskRecord completed(JsonNode result, Instant now) {
        return status.isTerminal() ? this : new TaskRecord(id, owner, method, TaskStatus.COMPLETED, null, createdAt,
                now, ttl, pollInterval, result, null, null);
    }

    /**
     * Failed with a result: in 2025-11-25 a tool whose result is {@code isError} fails its task, and
     * {@code tasks/result} still answers that result.
     */
    public TaskRecord failedWith(JsonNode result, String message, Instant now) {
        return status.isTerminal() ? this : new TaskRecord(id, owner, method, TaskStatus.FAILED, message, createdAt,
                now, ttl, pollInterval, result, null, null);
    }

    public TaskRecord failed(JsonNode error, Instant now) {
        return status.isTerminal() ? this : new TaskRecord(id, owner, method, TaskStatus.FAILED,
                error.path("message").asText(null), createdAt, now, ttl, pollInterval, null, error, null);
    }

    /** Waiting for the client: the asks still unanswered, by key (none left means working again). */
    public TaskRecord waitingFor(ObjectNode asks, Instant now) {
        if (status.isTerminal()) {
            return this;
        }
        boolean waiting = asks != null && !asks.isEmpty();
        return new TaskRecord(id, owner, method, waiting ? TaskStatus.INPUT_REQUIRED : TaskStatus.WORKING,
                waiting ? "waiting for the client's input" : null, createdAt, now, ttl, pollInterval, null, null,
                waiting ? asks : null);
    }
}
