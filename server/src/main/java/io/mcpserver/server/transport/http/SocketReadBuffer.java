package io.mcpserver.server.transport.http;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.ConnectionContext;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lends out the read buffer of a connection that holds a GET event stream open, and gives it back when the stream
 * ends. Helidon 4.2.3 gives every socket a fixed 8 KB {@code byte[]} to read into ({@code PlainSocket.readBuffer}, not
 * configurable), kept for the connection's whole life; while a GET stream is open nothing reads the connection (its
 * one request has no body, and its thread is ours until the stream ends), yet that buffer was a third of what an idle
 * stream holds (bench's scale step: 8 of 24 KB). So the buffer is swapped for a small one while the stream is held,
 * and a new one of the original size takes its place before the connection reads its next request.
 *
 * <p>The field is Helidon's private one, reached by reflection: when it is missing (another Helidon), cannot be set
 * (a JDK that no longer lets reflection change a final field: JDK 26 warns, later ones refuse) or the connection has
 * no plain socket, nothing is swapped and a stream just holds the buffer as before. {@code SocketReadBufferTest}
 * fails when the Helidon in use no longer has the field.
 */
final class SocketReadBuffer {

    private static final System.Logger LOG = System.getLogger(SocketReadBuffer.class.getName());
    /** What a connection reads into while it is lent out; nothing should read then, and a read would still work. */
    static final int LENT_SIZE = 16;
    /** JDK 26 warns on every final field changed by reflection (JEP 500); later JDKs refuse it. */
    private static final int LAST_JDK = 25;
    private static final Field READ_BUFFER = field();
    /** The connection of the GET request this thread is serving; set from the request line, taken by the stream. */
    private static final ThreadLocal<ConnectionContext> GET_CONNECTION = new ThreadLocal<>();
    private static final AtomicInteger LENT = new AtomicInteger();

    /** A lent buffer, given back by {@link #close()}. */
    interface Loan extends AutoCloseable {
        @Override
        void close();
    }

    private static final Loan NONE = () -> { };

    private SocketReadBuffer() {
    }

    private static Field field() {
        if (Runtime.version().feature() > LAST_JDK) {
            return null;
        }
        try {
            Field f = PlainSocket.class.getDeclaredField("readBuffer");
            if (f.getType() != byte[].class) {
                return null;
            }
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Helidon's socket read buffer cannot be lent out: " + e);
            return null;
        }
    }

    /** Whether buffers can be lent out with this Helidon and JDK. */
    static boolean available() {
        return READ_BUFFER != null;
    }

    /** Read buffers lent out now: GET streams held open. */
    static int lent() {
        return LENT.get();
    }

    /**
     * From the HTTP/1 receive listener, on the connection's thread, for each request line: a GET's connection is
     * remembered for the stream it may open (and any older one forgotten), so that the handler can find its socket.
     */
    static void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        if (READ_BUFFER == null) {
            return;
        }
        if (prologue.method() == Method.GET) {
            GET_CONNECTION.set(ctx);
        } else if (GET_CONNECTION.get() != null) {
            GET_CONNECTION.remove();
        }
    }

    /**
     * From the HTTP/1 receive listener, after {@link #prologue}: an upgrade (a WebSocket) is no stream of ours, and its
     * thread lives on as the WebSocket's, which should keep nothing of the request.
     */
    static void headers(Headers headers) {
        if (READ_BUFFER != null && headers.contains(HeaderNames.UPGRADE) && GET_CONNECTION.get() != null) {
            GET_CONNECTION.remove();
        }
    }

    /**
     * Lends out the read buffer of the connection whose GET request this thread serves, until the loan is closed;
     * a no-op on any other thread (a POST's stream, a stream written by a thread of its own) or request.
     */
    static Loan lend() {
        ConnectionContext ctx = GET_CONNECTION.get();
        if (ctx == null) {
            return NONE;
        }
        GET_CONNECTION.remove();
        HelidonSocket socket;
        try {
            socket = ctx.serverSocket();
        } catch (UnsupportedOperationException e) {
            return NONE;
        }
        if (!(socket instanceof PlainSocket plain)) {
            return NONE;
        }
        try {
            int size = ((byte[]) READ_BUFFER.get(plain)).length;
            READ_BUFFER.set(plain, new byte[LENT_SIZE]);
            LENT.incrementAndGet();
            return () -> {
                try {
                    READ_BUFFER.set(plain, new byte[size]);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e); // it was set a moment ago on the same field
                } finally {
                    LENT.decrementAndGet();
                }
            };
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Lending out a socket read buffer failed: " + e);
            return NONE;
        }
    }
}
