package io.mcpserver.server.transport.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.json.JsonBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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

    private final ServerResponse res;
    /** The body, taken at the first write: a stream that is complete by then is sent whole instead. */
    private OutputStream out;
    private boolean sentWhole;

    private SseWriter(ServerResponse res) {
        this.res = res;
    }

    /**
     * Sets the status and headers of an event stream. They leave with the first event (Helidon holds them until the
     * body's first flush), or with the whole body when its first write is also its last ({@link #writeLast}).
     */
    static SseWriter open(ServerResponse res) throws IOException {
        res.status(Status.OK_200);
        res.header(CONTENT_TYPE);
        res.header(CACHE_CONTROL);
        res.header(NO_PROXY_BUFFERING);
        return new SseWriter(res);
    }

    private static final byte[] EVENT_MESSAGE = "event: message\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    /**
     * Appends one {@code message} event: its id when it has one ({@code null}: none), then its data, the UTF-8
     * bytes of one JSON message, copied as they are (no text in between: the events of a streamed call were
     * serialized to a String, framed in a StringBuilder and encoded again, a third of its samples in bench/'s
     * profile-ours-http-progress). {@code oneLine}: the data is known to hold no line feed (the server's own
     * compact JSON never does: every control character in it is escaped), so it is not searched for one.
     */
    static void appendEvent(JsonBuffer out, String id, byte[] data, boolean oneLine) {
        if (id != null) {
            out.ascii("id: ").ascii(id).put((byte) '\n');
        }
        out.append(EVENT_MESSAGE);
        // compact JSON has no line breaks; split anyway so that no message can break the framing
        int from = 0;
        int newline;
        while (!oneLine && (newline = indexOfNewline(data, from)) >= 0) {
            out.append(DATA).append(data, from, newline - from).put((byte) '\n');
            from = newline + 1;
        }
        out.append(DATA).append(data, from, data.length - from).put((byte) '\n');
        out.put((byte) '\n');
    }

    /** A line feed byte (never part of a longer UTF-8 sequence) at or after {@code from}, or -1. */
    private static int indexOfNewline(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        try {
            OutputStream body = body();
            body.write(bytes, offset, length);
            body.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The response's last bytes. When nothing was written before (a streamed call that had ended by the time its
     * stream was first written), the headers and the whole stream leave in one write, with a Content-Length: a
     * chunked body took a write for its headers and first events, one per later batch and one for its last chunk.
     */
    @Override
    public void writeLast(byte[] bytes, int offset, int length) throws IOException {
        if (out != null) {
            write(bytes, offset, length);
            return;
        }
        try {
            res.send(offset == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, offset, offset + length));
            sentWhole = true;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void write(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(bytes, 0, bytes.length);
    }

    private OutputStream body() {
        if (out == null) {
            out = res.outputStream();
        }
        return out;
    }

    /** Ends the response; a dead connection cannot be finished politely, so a failure is ignored. */
    @Override
    public void close() {
        if (sentWhole) {
            return;
        }
        try {
            body().close(); // nothing written: an empty body, as before
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            // the client went away (IllegalStateException: the response was sent, or failed while being sent)
        }
    }
}
