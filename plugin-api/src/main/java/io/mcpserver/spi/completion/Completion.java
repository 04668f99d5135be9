package io.mcpserver.spi.completion;

import java.util.List;

/**
 * Suggested values, at most 100 (the server trims longer lists and sets {@code hasMore}).
 *
 * @param total the number of matches in all, or null when unknown
 */
public record Completion(List<String> values, Integer total, boolean hasMore) {

    public Completion {
        values = List.copyOf(values);
    }

    /** The values of {@code candidates} that start with {@code prefix}, case-insensitively. */
    public static Completion filter(java.util.Collection<String> candidates, String prefix) {
        String p = prefix == null ? "" : prefix.toLowerCase(java.util.Locale.ROOT);
        List<String> matches = candidates.stream()
                .filter(c -> c.toLowerCase(java.util.Locale.ROOT).startsWith(p))
                .toList();
        return new Completion(matches, matches.size(), false);
    }
}
