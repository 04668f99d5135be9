package io.mcpserver.server.transport.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Holds one HTTP response open as {@code text/event-stream} and pumps a {@link SseStream} into it on the
 * handler's (virtual) thread. A client that went away only ends the pump; the stream keeps its events.
 */
final class SseResponse {

    private final Duration keepAlive;
    private final Duration retry;

    SseResponse(Duration keepAlive, Duration retry) {
        this.keepAlive = keepAlive;
        this.retry = retry;
    }

    Duration retry() {
        return retry;
    }

    /**
     * Sends the headers, then {@code firstEvent} (a priming or endpoint event, may be null), then the
     * stream's events after {@code after} until the pump ends.
     */
    SseStream.End serve(ServerResponse res, HttpSession session, SseStream stream, long after, Duration holdFor,
                        String firstEvent) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(Replies.X_ACCEL_BUFFERING, "no");
        session.connectionOpened();
        SseStream.End end = SseStream.End.DISCONNECTED;
        OutputStream out = null;
        try {
            out = res.outputStream();
            OutputStream body = out;
            SseStream.Connection connection = text -> {
                try {
                    body.write(text.getBytes(StandardCharsets.UTF_8));
                    body.flush();
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            };
            if (firstEvent != null) {
                connection.write(firstEvent);
            }
            end = stream.pump(connection, after, holdFor, keepAlive, retry);
        } catch (IOException | UncheckedIOException e) {
            // the client went away before the first event: nothing to do, the stream keeps its events
        } finally {
            session.connectionClosed();
            closeQuietly(out);
        }
        return end;
    }

    private static void closeQuietly(OutputStream out) {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException | UncheckedIOException e) {
            // a dead connection cannot be finished politely
        }
    }
}
