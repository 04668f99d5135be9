package io.mcpserver.server.transport.http;

import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
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
        session.connectionOpened();
        session.streaming(stream, after);
        try (SseWriter connection = SseWriter.open(res)) {
            if (firstEvent != null) {
                connection.write(firstEvent);
            }
            return stream.pump(connection, after, holdFor, keepAlive, retry);
        } catch (IOException | UncheckedIOException e) {
            // the client went away before the first event: nothing to do, the stream keeps its events
            return SseStream.End.DISCONNECTED;
        } finally {
            session.streamed(stream);
            session.connectionClosed();
        }
    }
}
