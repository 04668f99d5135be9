package io.mcpserver.spi.tools;

/**
 * Whether a tool may run as a task: the client gets a task id at once and polls for the result, which
 * the server keeps for the task's time to live even when the client went away (the Tasks extension of
 * 2026-07-28, {@code execution.taskSupport} in 2025-11-25).
 */
public enum TaskSupport {
    /** Never a task: the call's result is the answer (the default). */
    FORBIDDEN("forbidden"),
    /** A task when the client can run tasks, else an ordinary call. */
    OPTIONAL("optional"),
    /** Only as a task: a client that cannot run tasks gets an error. */
    REQUIRED("required");

    private final String wireName;

    TaskSupport(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
