package io.mcpserver.server.json;

import java.lang.ref.WeakReference;

/**
 * Long strings known to be ASCII with nothing JSON escapes: those {@link BulkStringParser} read from a message, so
 * that writing the same String object back (a tool that returns its argument, a result quoting its input) copies its
 * bytes without encoding or scanning them again ({@link JsonBuffer}): 64 KB echoed took three passes over the text and
 * two copies to write before (bench/: profile-ours-http-64k).
 * <p>
 * A small table by identity, holding its strings weakly. A string is taken as known only when the very object is
 * found (strings are immutable, so what was checked once stays true); a slot overwritten by another string, or
 * cleared by the collector, only means the slower path. Slots are written and read without locks: a reference is
 * read whole, and a {@link WeakReference} read before its referent is visible gives null, again the slower path.
 */
final class PlainText {

    private static final int SLOTS = 1024; // a power of two; enough for the calls of 256 connections in flight
    @SuppressWarnings("unchecked")
    private static final WeakReference<String>[] TABLE = new WeakReference[SLOTS];

    private PlainText() {
    }

    /** Remembers {@code text}, which the caller checked: every char below 0x80, none of them {@code "}, {@code \}, or below 0x20. */
    static void remember(String text) {
        TABLE[slot(text)] = new WeakReference<>(text);
    }

    /** Whether this very object was remembered (and is still in its slot). */
    static boolean isKnown(String text) {
        WeakReference<String> ref = TABLE[slot(text)];
        return ref != null && ref.get() == text;
    }

    private static int slot(String text) {
        int h = System.identityHashCode(text);
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
