package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** A {@link ReplayBuffer} in this process: a bounded deque, empty (and small) while nothing is kept. */
final class InMemoryReplayBuffer implements ReplayBuffer {

    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    InMemoryReplayBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public void append(long seq, ObjectNode message) {
        entries.addLast(new Entry(seq, message));
        while (entries.size() > capacity) {
            entries.removeFirst();
        }
    }

    @Override
    public List<Entry> after(long seq) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.seq() > seq) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void trimThrough(long seq) {
        while (!entries.isEmpty() && entries.peekFirst().seq() <= seq) {
            entries.removeFirst();
        }
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public void clear() {
        entries.clear();
    }
}
