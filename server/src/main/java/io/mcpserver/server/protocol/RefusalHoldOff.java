package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * How a principal that runs into its rate limit is read from, on the connection transports (TCP, WebSocket, stdio, a
 * plugin's), whose reader threads parse what the client writes as fast as it writes it unless they are held:
 * <ul>
 *   <li>A rate-limited request is answered with -32000 and a retry hint ({@code data.retryAfterMs}). A client that
 *       sends again before the time it was told is ignoring the hint: its principal is then not read from for that
 *       long (at most {@link #MAX_HOLD_MS}) on <em>any</em> of its connections, so it is slowed by TCP flow control
 *       instead of having the server parse and refuse its messages. A client that honours the hint is never held.</li>
 *   <li>For {@link #PACED_NANOS} after its last refusal, a principal is read <em>one message at a time over all its
 *       connections</em> ({@link #turn}): twenty connections of one flooder take one reader's share of the cores, not
 *       twenty.</li>
 *   <li>On a transport whose framing reads a whole message before handing it on (WebSocket: Helidon reads and
 *       unmasks each frame on the connection's thread before the listener sees it), the same principal's connections
 *       are read <em>at its rate</em> ({@link #paceReading}): after each message, a connection waits for the
 *       principal's next read slot, one slot per token over all its connections, so frames that would only be
 *       refused are never read at all and TCP pushes back on the client. TCP lines are paced the same way.</li>
 *   <li>Reading is paced by bytes too: a message of {@code n} bytes takes {@code n / bytesPerSecond} of the
 *       principal's reading time ({@code limits.rate.paced-bytes-per-second}), so that 512 KiB messages, each one
 *       request and one token, do not get through at the full request rate.</li>
 * </ul>
 * The principal is the rate limit's ({@link RequestHook#principal}): the subject with security on, else the session.
 * Why: the fairness benchmark (docs/benchmarks.md) measured one pipelining TCP client at about 20,000 refusals a
 * second, and twenty connections of one principal held per connection still multiplied the others' p99 152 times.
 */
final class RefusalHoldOff {

    /** The longest a principal is held after one refusal: its cancellations and answers still get through soon. */
    static final long MAX_HOLD_MS = 100;
    /** How long after its last rate-limit refusal a principal is read one message at a time. */
    static final long PACED_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The longest a connection waits for its principal's turn: one of its connections that is stuck (a write to a
     * client that does not read) must not stop the others of the same principal for good.
     */
    static final long TURN_WAIT_MS = 1_000;
    /**
     * The longest a connection waits for its principal's read slot: a principal with many connections at a low rate
     * has slots far ahead; a connection that waited this long reads on (and is refused if no token came).
     */
    static final long MAX_PACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The longest a connection waits for the bytes its principal read to be paid off ({@link #paceReading}): a
     * principal that opened many connections and sent a large message on each has its byte budget used up far ahead;
     * past this a connection reads on, so beyond its budget it gets at most one message per connection this often.
     * Kept below the WebSocket default pong-timeout (10 s), so that waiting does not look like a silent peer.
     */
    static final long MAX_BYTES_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Above this many principals with a pace, those whose refusals are all past are dropped (they hold nothing). */
    private static final int SWEEP_ABOVE = 256;

    /** How the reader thread waits (tests replace it). */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    /** What the refusals told one principal. */
    private static final class Pace {
        final ReentrantLock reading = new ReentrantLock(true); // fair: the principal's connections take turns
        /** When the last refusal told the client it may send again. */
        volatile long retryAt;
        /** Until when the principal is not read from (it ignored a hint). */
        volatile long heldUntil;
        volatile long lastRefused;
        /** When the principal's next read slot is ({@link #paceReading}); guarded by this. */
        long nextRead;
        /** Until when the bytes read of the principal while paced use up its byte budget; guarded by this. */
        long bytesPaidAt;
        /** When one of its connections last had to wait for a read slot: a principal kept waiting stays paced. */
        volatile long lastWaited;

        Pace(long now) {
            retryAt = now;
            heldUntil = now;
            lastRefused = now;
            nextRead = now;
            bytesPaidAt = now;
            lastWaited = now - PACED_NANOS;
        }

        boolean past(long now) {
            return now - retryAt >= 0 && now - heldUntil >= 0 && now - lastRefused >= PACED_NANOS
                    && now - lastWaited >= PACED_NANOS;
        }
    }

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private final Function<Session, Object> principals;
    private final Map<Object, Pace> paces = new ConcurrentHashMap<>();

    /** @param principals whose rate a session's requests count against (the key of its pace) */
    RefusalHoldOff(LongSupplier nanoClock, Sleeper sleeper, Function<Session, Object> principals) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.principals = principals;
    }

    static RefusalHoldOff system(Function<Session, Object> principals) {
        return new RefusalHoldOff(System::nanoTime, TimeUnit.NANOSECONDS::sleep, principals);
    }

    /**
     * Called on the connection's reader thread after {@code error} was sent to the client of {@code session}:
     * returns at once unless the error carries a retry hint and the principal was already told to wait past now,
     * when it holds the principal (this reader waits; the principal's other readers wait in {@link #turn}).
     */
    void refused(Session session, ObjectNode error) {
        long retryAfterMs = error.path("error").path("data").path("retryAfterMs").asLong(0);
        if (retryAfterMs <= 0) {
            return; // not a rate limit (in-flight limit, unknown method…): nothing to wait for
        }
        long now = nanoClock.getAsLong();
        Pace pace = pace(session, now);
        long toldToWaitUntil = pace.retryAt;
        pace.retryAt = now + TimeUnit.MILLISECONDS.toNanos(retryAfterMs);
        pace.lastRefused = now;
        if (now - toldToWaitUntil >= 0) {
            return; // the first refusal, or the client waited as it was told
        }
        long hold = TimeUnit.MILLISECONDS.toNanos(Math.min(retryAfterMs, MAX_HOLD_MS));
        pace.heldUntil = now + hold;
        sleep(hold);
    }

    /**
     * Before a connection's reader reads its client's next message: returns at once for a principal that was not
     * refused lately; otherwise waits for the principal's turn (one message at a time over all its connections) and
     * while it is held. Close the turn once the message was read and handed on.
     */
    ReadTurn turn(Session session) {
        Pace pace = paces.get(principals.apply(session));
        if (pace == null || nanoClock.getAsLong() - pace.lastRefused >= PACED_NANOS) {
            return ReadTurn.ANY_TIME;
        }
        try {
            if (!pace.reading.tryLock(TURN_WAIT_MS, TimeUnit.MILLISECONDS)) {
                return ReadTurn.ANY_TIME; // another connection of the principal is stuck: this one reads all the same
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the connection is closing
            return ReadTurn.ANY_TIME;
        }
        long wait = pace.heldUntil - nanoClock.getAsLong();
        if (wait > 0) {
            sleep(wait);
        }
        return pace.reading::unlock;
    }

    /**
     * After a connection handed on a message, before it reads the next (TCP, WebSocket; for WebSocket this is the
     * only place, since Helidon reads a whole frame before {@link #turn} could be asked): returns at once unless the
     * principal was refused, or kept waiting here, within the last {@link #PACED_NANOS}; then waits for the
     * principal's next read slot. Slots are one token interval apart over all the principal's connections and none
     * comes before a token is due, so the principal's connections are read at its rate, not at the rate it writes
     * (its messages then find a token: it is slowed, not refused); at most {@link #MAX_PACE_NANOS}. The bytes of the
     * message just read are paid for too: at {@code bytesPerSecond}, they push the principal's next read back by
     * {@code bytes / bytesPerSecond} (at most {@link #MAX_BYTES_WAIT_NANOS} of waiting). A principal that keeps
     * writing faster stays paced; one that slows down to its rate waits for nothing and is read freely again a
     * second later.
     *
     * @param tokenDueNanos  how long until the principal's next token (0: there is one), asked only when paced
     * @param intervalNanos  the time between two of the principal's tokens (1 s / its rate); 0 if unknown
     * @param bytes          the size of the message just read (0: not counted)
     * @param bytesPerSecond the paced principal's byte budget; 0 paces by requests only
     */
    void paceReading(Session session, LongSupplier tokenDueNanos, long intervalNanos, long bytes, long bytesPerSecond) {
        Pace pace = paces.get(principals.apply(session));
        if (pace == null) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - pace.lastRefused >= PACED_NANOS && now - pace.lastWaited >= PACED_NANOS) {
            return;
        }
        long due = now + Math.max(tokenDueNanos.getAsLong(), Math.max(0, pace.retryAt - now));
        long slot;
        long paid;
        synchronized (pace) {
            slot = due - pace.nextRead >= 0 ? due : pace.nextRead;
            if (slot - now <= MAX_PACE_NANOS) {
                pace.nextRead = slot + intervalNanos; // else slots run far ahead: wait the most, reserve nothing
            }
            paid = now;
            if (bytes > 0 && bytesPerSecond > 0) {
                long cost = (long) (bytes * (1e9 / bytesPerSecond));
                long from = pace.bytesPaidAt - now >= 0 ? pace.bytesPaidAt : now;
                // a debt beyond the longest wait would only be waited off later, by a principal long since calm
                pace.bytesPaidAt = Math.min(from + cost, now + MAX_BYTES_WAIT_NANOS);
                paid = pace.bytesPaidAt;
            }
        }
        long wait = Math.max(Math.min(slot - now, MAX_PACE_NANOS), Math.min(paid - now, MAX_BYTES_WAIT_NANOS));
        if (wait > 0) {
            pace.lastWaited = now;
            sleep(wait);
        }
    }

    /** The same, by requests only (the message's bytes not counted). */
    void paceReading(Session session, LongSupplier tokenDueNanos, long intervalNanos) {
        paceReading(session, tokenDueNanos, intervalNanos, 0, 0);
    }

    /** How long the principal of {@code session} was told to wait still (0: not told, or the time has come). */
    long toldToWaitNanos(Session session) {
        Pace pace = paces.get(principals.apply(session));
        return pace == null ? 0 : Math.max(0, pace.retryAt - nanoClock.getAsLong());
    }

    private Pace pace(Session session, long now) {
        Object principal = principals.apply(session);
        Pace pace = paces.get(principal);
        if (pace == null) {
            if (paces.size() > SWEEP_ABOVE) {
                paces.values().removeIf(p -> p.past(now) && !p.reading.isLocked());
            }
            pace = paces.computeIfAbsent(principal, p -> new Pace(now));
        }
        return pace;
    }

    private void sleep(long nanos) {
        try {
            sleeper.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the connection is closing
        }
    }

    /** Whether any principal was refused (and not swept since). */
    boolean pacesAnyone() {
        return !paces.isEmpty();
    }

    /** How many principals have a pace now (tests watch the sweep with it). */
    int paces() {
        return paces.size();
    }
}
