package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PaginationTest {

    private static final List<Integer> ALL = IntStream.range(0, 7).boxed().toList();
    /** Single digits: their text sorts as the numbers do. */
    private static final java.util.function.Function<Integer, String> KEY = String::valueOf;

    private static ObjectNode cursor(String cursor) {
        ObjectNode params = Json.object();
        params.put("cursor", cursor);
        return params;
    }

    @Test
    void pagesFollowTheirCursorsToTheEndWithNothingSkippedOrRepeated() {
        List<Integer> seen = new ArrayList<>();
        Pagination.Page<Integer> page = Pagination.page(ALL, KEY, null, 3);
        int pages = 1;
        seen.addAll(page.items());
        while (page.nextCursor() != null) {
            page = Pagination.page(ALL, KEY, cursor(page.nextCursor()), 3);
            seen.addAll(page.items());
            pages++;
        }
        assertEquals(ALL, seen);
        assertEquals(3, pages);
    }

    @Test
    void theLastPageHasNoCursorAndAnEmptyListOnePage() {
        assertNull(Pagination.page(ALL, KEY, null, 7).nextCursor(), "exactly one full page");
        Pagination.Page<Integer> empty = Pagination.page(List.of(), KEY, Json.object(), 5);
        assertEquals(List.of(), empty.items());
        assertNull(empty.nextCursor());
        ObjectNode result = Json.object();
        Pagination.putCursor(result, empty);
        assertFalse(result.has("nextCursor"), "no nextCursor field at the end");
        Pagination.putCursor(result, Pagination.page(ALL, KEY, null, 2));
        assertEquals(Pagination.page(ALL, KEY, null, 2).nextCursor(), result.path("nextCursor").asText());
    }

    @Test
    void aNullCursorIsTheFirstPage() {
        ObjectNode params = Json.object();
        params.putNull("cursor");
        assertEquals(List.of(0, 1), Pagination.page(ALL, KEY, params, 2).items());
    }

    @Test
    void aCursorAtTheEndOfAListThatShrankGivesAnEmptyLastPage() {
        String next = Pagination.page(ALL, KEY, null, 5).nextCursor();
        Pagination.Page<Integer> page = Pagination.page(ALL.subList(0, 5), KEY, cursor(next), 5);
        assertEquals(List.of(), page.items());
        assertNull(page.nextCursor());
    }

    @Test
    void badCursorsAreInvalidParams() {
        // the offset cursors of earlier versions, and cursors of other shapes
        String past = Base64.getUrlEncoder().withoutPadding().encodeToString("offset:99".getBytes(StandardCharsets.UTF_8));
        String negative = Base64.getUrlEncoder().withoutPadding().encodeToString("offset:-1".getBytes(StandardCharsets.UTF_8));
        String foreign = Base64.getUrlEncoder().withoutPadding().encodeToString("page:2".getBytes(StandardCharsets.UTF_8));
        for (String bad : List.of(past, negative, foreign, "not base64 !", "")) {
            McpException e = assertThrows(McpException.class, () -> Pagination.page(ALL, KEY, cursor(bad), 3), bad);
            assertEquals(ErrorCodes.INVALID_PARAMS, e.code(), bad);
        }
    }
}
