package io.mcpserver.server.resume;

/** What session recovery tells the metrics: one call per resume, refusal and window that passed. */
public interface ResumeEvents {

    /** A session was resumed; {@code lost} messages had fallen out of its buffer. */
    void resumed(long replayed, long lost);

    /** A token was refused (unknown, used, expired, another subject's). */
    void refused();

    /** A session was not resumed within the window and was closed. */
    void expired();

    ResumeEvents NONE = new ResumeEvents() {
        @Override
        public void resumed(long replayed, long lost) {
        }

        @Override
        public void refused() {
        }

        @Override
        public void expired() {
        }
    };
}
