package io.mcpserver.server.transport.http;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.mcpserver.server.core.DeadlineTimer;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drops a connection whose request headers do not arrive in time (slowloris: a client that sends the request
 * line, then one header byte every few seconds, holds a connection and its thread for ever). Helidon 4.2.3 has no
 * header timeout of its own: its idle check only stops a connection that waits for a request line. This
 * listener starts a timer when the request line has been read and stops it when the headers have; when it fires
 * it interrupts the connection's thread, which closes the socket (socket reads of virtual threads are
 * interruptible). Both callbacks run on the connection's own thread, so the timer lives in a thread-local.
 */
final class HeaderDeadline implements Http1ConnectionListener, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HeaderDeadline.class.getName());

    private final long timeoutNanos;
    private final ScheduledExecutorService timer = timer();
    private final ThreadLocal<ScheduledFuture<?>> pending = new ThreadLocal<>();

    HeaderDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    private static ScheduledExecutorService timer() {
        // Every request's deadline is cancelled once its headers are in: a cancelled one left queued for the whole
        // header-timeout (10 s) held its connection's thread and context (bench's scale step counted two per idle
        // SSE session; under load, one per request of the last 10 s); see DeadlineTimer
        return DeadlineTimer.create("mcp-http-header-deadline");
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        ScheduledFuture<?> stale = pending.get(); // a request whose headers failed to parse (400) never got headers()
        if (stale != null) {
            stale.cancel(false);
        }
        Thread connection = Thread.currentThread();
        pending.set(timer.schedule(() -> {
            LOG.log(System.Logger.Level.INFO, "HTTP client " + ctx.remotePeer().host() + ":" + ctx.remotePeer().port()
                    + ": request headers not complete within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                    + " ms (transports.http.header-timeout); closing the connection");
            connection.interrupt();
        }, timeoutNanos, TimeUnit.NANOSECONDS));
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        ScheduledFuture<?> deadline = pending.get();
        if (deadline != null) {
            deadline.cancel(false);
            pending.remove();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
