package io.mcpserver.server.transport.http;

import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.json.JsonBuffer;

import java.io.IOException;
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
        return serve(res, session, stream, after, holdFor, firstEvent, false);
    }

    /**
     * {@link #serve(ServerResponse, HttpSession, SseStream, long, Duration, String)}; with {@code eventFollows}
     * (an event of the stream is queued, or being queued by the thread that opened it) the headers and
     * {@code firstEvent} leave together with that event, in one write instead of two: a streamed call's answer
     * was a write and a packet more than it needed (bench/: progress ×10, issue 14).
     */
    SseStream.End serve(ServerResponse res, HttpSession session, SseStream stream, long after, Duration holdFor,
                        String firstEvent, boolean eventFollows) {
        session.connectionOpened();
        session.streaming(stream, after);
        int mine = stream.claim(); // before the first event: a client may resume elsewhere as soon as it reads it
        SseStream.End end = SseStream.End.DISCONNECTED;
        // a GET's connection reads nothing while its stream is open: its 8 KB read buffer is lent out meanwhile
        try (SocketReadBuffer.Loan idle = SocketReadBuffer.lend(); SseWriter connection = SseWriter.open(res)) {
            SseStream.Connection out = connection;
            if (firstEvent != null && eventFollows) {
                out = new Prefixed(connection, firstEvent);
            } else if (firstEvent != null) {
                connection.write(firstEvent);
            }
            end = stream.pump(mine, out, after, holdFor, keepAlive, retry);
            return end;
        } catch (IOException | UncheckedIOException e) {
            // the client went away before the first event: nothing to do, the stream keeps its events
            return SseStream.End.DISCONNECTED;
        } finally {
            session.streamed(stream, end);
            session.connectionClosed();
        }
    }

    /** A connection whose first write carries {@code prefix} before its text. */
    private static final class Prefixed implements SseStream.Connection {

        private final SseStream.Connection out;
        private String prefix;

        Prefixed(SseStream.Connection out, String prefix) {
            this.out = out;
            this.prefix = prefix;
        }

        @Override
        public void write(String text) throws IOException {
            String first = prefix;
            prefix = null;
            out.write(first == null ? text : first + text);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            write(bytes, offset, length, false);
        }

        @Override
        public void writeLast(byte[] bytes, int offset, int length) throws IOException {
            write(bytes, offset, length, true);
        }

        private void write(byte[] bytes, int offset, int length, boolean last) throws IOException {
            String first = prefix;
            prefix = null;
            byte[] all = bytes;
            int from = offset;
            int count = length;
            if (first != null) {
                byte[] head = first.getBytes(StandardCharsets.UTF_8);
                JsonBuffer both = new JsonBuffer(head.length + length).append(head).append(bytes, offset, length);
                all = both.array();
                from = 0;
                count = both.length();
            }
            if (last) {
                out.writeLast(all, from, count);
            } else {
                out.write(all, from, count);
            }
        }
    }
}
