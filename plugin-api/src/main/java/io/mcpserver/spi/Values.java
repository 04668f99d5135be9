package io.mcpserver.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The null rules every value type of the API follows (docs/plugin-authoring.md, "Value types"): a required
 * string must not be blank; an absent optional value is null; a null list or {@code _meta} is empty; lists and
 * maps are copied, so a value never changes after it is built. Maps keep their order and may hold JSON nulls.
 */
final class Values {

    private Values() {
    }

    static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    static <T> List<T> list(List<? extends T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    /** A copy of a JSON object (null stays null: absent). */
    static Map<String, Object> object(Map<String, ?> map) {
        return map == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** {@code _meta}: empty when absent. */
    static Map<String, Object> meta(Map<String, ?> meta) {
        return meta == null || meta.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }
}
