package io.mcpserver.server.protocol;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What {@code limits.max-sessions-per-principal} counts in this process: the slots each subject holds. A slot is
 * taken when a session is admitted, before the session exists (a WebSocket's exists only after its 101, a TCP
 * connection's subject is known only from its first message), with the check and the count in one atomic step, so
 * that opens racing each other cannot all pass one count of the sessions already open. The session it admits then
 * holds it ({@link SessionRegistry#hold}) until the session ends; a slot never handed to a session (the open failed,
 * the client went away first, its {@code initialize} was refused) is given back with {@link Slot#release()}.
 */
public final class SessionSlots {

    /** Per subject: the slots held, by sessions or by opens not finished yet. Absent at zero. */
    private final Map<String, Integer> held = new ConcurrentHashMap<>();
    private final List<Function<Slot, Runnable>> released = new CopyOnWriteArrayList<>();

    /** A slot of {@code subject}, or null when it holds {@code max} already: check and count in one step. */
    public Slot take(String subject, int max) {
        boolean[] taken = {false};
        held.compute(subject, (s, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0] ? new Slot(this, subject) : null;
    }

    /** The slots {@code subject} holds now. */
    public int held(String subject) {
        return held.getOrDefault(subject, 0);
    }

    /** Every subject holding slots now, with how many. */
    public Map<String, Integer> held() {
        return new HashMap<>(held);
    }

    /**
     * Calls {@code listener} with every slot given back, just before it stops counting here (a cluster's count is
     * lowered too; see {@code RedisSessionCaps} for why before), and runs what it returns (if not null) just after:
     * a listener can tell when the slot no longer counts here.
     */
    public void onReleased(Function<Slot, Runnable> listener) {
        released.add(listener);
    }

    private void giveBack(Slot slot) {
        List<Runnable> afterwards = released.stream().map(l -> l.apply(slot)).filter(r -> r != null).toList();
        held.computeIfPresent(slot.subject, (s, n) -> n <= 1 ? null : n - 1);
        afterwards.forEach(Runnable::run);
    }

    /**
     * One admitted session's place under the cap: reserved by the open, then held by its session, then released.
     * Each step happens at most once, whichever thread gets there first.
     */
    public static final class Slot {

        /** Counts nothing (security off): releasing it does nothing. */
        public static final Slot NONE = new Slot(null, null);
        /** Marks a session that ended: a slot handed to it afterwards is given back at once. */
        static final Slot ENDED = new Slot(null, null);

        private static final int RESERVED = 0;
        private static final int HELD = 1;
        private static final int RELEASED = 2;

        private final SessionSlots owner;
        private final String subject;
        private final AtomicInteger state;
        /** Set by a cluster's caps when the shared count has this slot too (see {@code RedisSessionCaps}). */
        private volatile boolean shared;

        private Slot(SessionSlots owner, String subject) {
            this.owner = owner;
            this.subject = subject;
            this.state = new AtomicInteger(owner == null ? RELEASED : RESERVED);
        }

        public String subject() {
            return subject;
        }

        /** Gives the slot back, unless a session holds it (then it goes back when that session ends). */
        public void release() {
            if (state.compareAndSet(RESERVED, RELEASED)) {
                owner.giveBack(this);
            }
        }

        /** For the registry: true when the slot was still reserved and is now its session's. */
        boolean hand() {
            return state.compareAndSet(RESERVED, HELD);
        }

        /** For the registry: the session holding the slot ended. */
        void ended() {
            if (state.compareAndSet(HELD, RELEASED)) {
                owner.giveBack(this);
            }
        }

        public boolean shared() {
            return shared;
        }

        public void shared(boolean counted) {
            this.shared = counted;
        }

        @Override
        public String toString() {
            return "slot of " + subject;
        }
    }
}
