package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static io.mcpserver.server.testing.Properties.forAll;
import static io.mcpserver.server.testing.Properties.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cursor paging as a client walks a list: every item exactly once and in order, whatever the page size, and with
 * plugin reloads adding and removing items between any two pages (every item present throughout is served exactly
 * once, in order; nothing is served twice; nothing served was absent from the list it was served from).
 */
class PaginationPropertiesTest {

    private static final Function<String, String> KEY = Function.identity();
    private static final String NAME_CHARS = "abcdefghij_-.0123456789";

    private static List<String> names(Random random, int max) {
        TreeSet<String> names = new TreeSet<>();
        int n = random.nextInt(max + 1);
        while (names.size() < n) {
            names.add(string(random, NAME_CHARS, 1 + random.nextInt(6)));
        }
        return new ArrayList<>(names);
    }

    private static ObjectNode params(String cursor) {
        ObjectNode params = Json.object();
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        return params;
    }

    @Test
    void everyItemExactlyOnceInOrderForAnyPageSize() {
        forAll(500, random -> {
            List<String> all = names(random, 80);
            int pageSize = 1 + random.nextInt(25);
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Pagination.Page<String> page = Pagination.page(all, KEY, params(cursor), pageSize);
                assertTrue(page.items().size() <= pageSize, "a page over its size");
                seen.addAll(page.items());
                cursor = page.nextCursor();
                assertTrue(++pages <= all.size() + 1, "more pages than items");
            } while (cursor != null);
            assertEquals(all, seen, "page size " + pageSize);
        });
    }

    @Test
    void reloadsBetweenPagesNeitherSkipNorRepeatWhatStays() {
        forAll(500, random -> {
            List<String> list = names(random, 60);
            Set<String> everPresent = new HashSet<>(list);
            Set<String> alwaysPresent = new HashSet<>(list);
            int pageSize = 1 + random.nextInt(10);
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Pagination.Page<String> page = Pagination.page(list, KEY, params(cursor), pageSize);
                for (String item : page.items()) {
                    assertTrue(list.contains(item), item + " served but not in the list it came from");
                }
                seen.addAll(page.items());
                cursor = page.nextCursor();
                // a reload: some tools go, some new ones come (anywhere in the order)
                TreeSet<String> next = new TreeSet<>(list);
                for (String gone : List.copyOf(next)) {
                    if (random.nextInt(8) == 0) {
                        next.remove(gone);
                    }
                }
                next.addAll(names(random, 4));
                list = new ArrayList<>(next);
                everPresent.addAll(list);
                alwaysPresent.retainAll(list);
                assertTrue(++pages <= 1000, "paging does not end");
            } while (cursor != null);
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i - 1).compareTo(seen.get(i)) < 0,
                        "out of order or repeated: " + seen.get(i - 1) + " then " + seen.get(i) + " in " + seen);
            }
            for (String stayed : alwaysPresent) {
                assertTrue(seen.contains(stayed), stayed + " was in the list throughout but never served: " + seen);
            }
            assertTrue(everPresent.containsAll(seen));
        });
    }
}
