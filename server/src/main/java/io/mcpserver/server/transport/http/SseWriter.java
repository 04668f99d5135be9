package io.mcpserver.server.transport.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP response held open as {@code text/event-stream}: the headers, then text written and flushed at once.
 * Every SSE reply of the HTTP transport (session streams, legacy {@code /sse}, stateless per-request streams) is
 * written through one of these; {@link SseStream}s frame their events with {@link #appendEvent}.
 */
final class SseWriter implements SseStream.Connection, AutoCloseable {

    /** A comment that finds out whether the client is still there. */
    static final String KEEP_ALIVE = ": keep-alive\n\n";

    // built once, not per response
    private static final Header CONTENT_TYPE = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/event-stream");
    private static final Header CACHE_CONTROL = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-cache");
    private static final Header NO_PROXY_BUFFERING = HeaderValues.createCached(Replies.X_ACCEL_BUFFERING, "no");

    private final OutputStream out;

    private SseWriter(OutputStream out) {
        this.out = out;
    }

    /** Sends the status and headers of an event stream and opens the body. */
    static SseWriter open(ServerResponse res) throws IOException {
        res.status(Status.OK_200);
        res.header(CONTENT_TYPE);
        res.header(CACHE_CONTROL);
        res.header(NO_PROXY_BUFFERING);
        try {
            return new SseWriter(res.outputStream());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Appends one {@code message} event: its id when it has one ({@code null}: none), then its data. */
    static void appendEvent(StringBuilder text, String id, String data) {
        if (id != null) {
            text.append("id: ").append(id).append('\n');
        }
        text.append("event: message\n");
        // compact JSON has no line breaks; split anyway so that no message can break the framing
        if (data.indexOf('\n') < 0) {
            text.append("data: ").append(data).append('\n');
        } else {
            for (String line : data.split("\n", -1)) {
                text.append("data: ").append(line).append('\n');
            }
        }
        text.append('\n');
    }

    @Override
    public void write(String text) throws IOException {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Ends the response; a dead connection cannot be finished politely, so a failure is ignored. */
    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException | UncheckedIOException e) {
            // the client went away
        }
    }
}
