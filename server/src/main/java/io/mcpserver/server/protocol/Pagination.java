package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Opaque cursors over a list in ascending key order (the registry's snapshots are sorted by name or URI). A cursor
 * carries the last key served, not an offset: when a plugin reload adds or removes items between two pages, every
 * item present throughout is still served exactly once and in order (an offset skipped or repeated the items that
 * moved past it; PaginationPropertiesTest).
 */
public final class Pagination {

    private static final String PREFIX = "after:";

    private Pagination() {
    }

    public record Page<T>(List<T> items, String nextCursor) {
    }

    /**
     * @param all ascending by {@code key} ({@link String#compareTo}), as the registry's sorted maps give them
     * @param key the item's unique key in that order (a tool's name, a resource's URI...)
     */
    public static <T> Page<T> page(List<T> all, Function<T, String> key, JsonNode params, int pageSize) {
        int start = 0;
        JsonNode cursor = params == null ? null : params.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            String after = decode(cursor);
            while (start < all.size() && key.apply(all.get(start)).compareTo(after) <= 0) {
                start++;
            }
        }
        int end = Math.min(all.size(), start + pageSize);
        String next = end < all.size() ? encode(key.apply(all.get(end - 1))) : null;
        return new Page<>(all.subList(start, end), next);
    }

    public static void putCursor(ObjectNode result, Page<?> page) {
        if (page.nextCursor() != null) {
            result.put("nextCursor", page.nextCursor());
        }
    }

    private static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(JsonNode cursor) {
        try {
            if (!cursor.isTextual()) {
                throw new IllegalArgumentException();
            }
            String s = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(
                    Base64.getUrlDecoder().decode(cursor.asText()))).toString();
            if (!s.startsWith(PREFIX)) {
                throw new IllegalArgumentException();
            }
            return s.substring(PREFIX.length());
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            throw McpException.invalidParams("invalid cursor '" + ClientText.shown(cursor.asText())
                    + "': pass the nextCursor of the previous page unchanged, or none for the first page");
        }
    }
}
