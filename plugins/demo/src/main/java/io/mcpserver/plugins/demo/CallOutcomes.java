package io.mcpserver.plugins.demo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * What became of the {@code sleep} and {@code slow_count} calls given a {@code tag}: {@code running},
 * {@code finished}, or {@code cancelled} (with how the tool learnt it: its thread was interrupted, or it saw the
 * cancelled flag). Read through {@code demo://calls/{tag}}, it shows from the server's side that a cancellation
 * reached the tool — what a client's own "aborted" cannot show.
 */
final class CallOutcomes {

    static final String URI_TEMPLATE = "demo://calls/{tag}";
    /** The oldest tags are forgotten beyond this many. */
    private static final int KEEP = 1000;

    /** A tool body that may be interrupted. */
    interface Body {
        String run() throws InterruptedException;
    }

    private final Map<String, String> byTag = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > KEEP;
        }
    };

    String track(String tag, Body body) throws InterruptedException {
        if (tag == null || tag.isBlank()) {
            return body.run();
        }
        put(tag, "running");
        try {
            String result = body.run();
            put(tag, "finished");
            return result;
        } catch (InterruptedException e) {
            put(tag, "cancelled: the thread was interrupted");
            throw e;
        } catch (CancellationException e) {
            put(tag, "cancelled: the tool saw the cancelled flag");
            throw e;
        } catch (RuntimeException e) {
            put(tag, "failed: " + e.getMessage());
            throw e;
        }
    }

    Optional<String> outcome(String tag) {
        synchronized (byTag) {
            return Optional.ofNullable(byTag.get(tag));
        }
    }

    private void put(String tag, String outcome) {
        synchronized (byTag) {
            byTag.put(tag, outcome);
        }
    }
}
