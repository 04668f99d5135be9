package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Opaque cursors over the registry's deterministic order. */
public final class Pagination {

    private static final String PREFIX = "offset:";

    private Pagination() {
    }

    public record Page<T>(List<T> items, String nextCursor) {
    }

    public static <T> Page<T> page(List<T> all, JsonNode params, int pageSize) {
        int offset = 0;
        JsonNode cursor = params == null ? null : params.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            offset = decode(cursor);
        }
        if (offset > all.size()) {
            throw McpException.invalidParams("cursor is past the end of the list");
        }
        int end = Math.min(all.size(), offset + pageSize);
        String next = end < all.size() ? encode(end) : null;
        return new Page<>(all.subList(offset, end), next);
    }

    public static void putCursor(ObjectNode result, Page<?> page) {
        if (page.nextCursor() != null) {
            result.put("nextCursor", page.nextCursor());
        }
    }

    private static String encode(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decode(JsonNode cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor.asText()), StandardCharsets.UTF_8);
            if (!s.startsWith(PREFIX)) {
                throw new IllegalArgumentException();
            }
            int offset = Integer.parseInt(s.substring(PREFIX.length()));
            if (offset < 0) {
                throw new IllegalArgumentException();
            }
            return offset;
        } catch (IllegalArgumentException e) {
            throw McpException.invalidParams("invalid cursor '" + cursor.asText() + "'");
        }
    }
}
