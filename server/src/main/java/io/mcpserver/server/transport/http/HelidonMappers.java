package io.mcpserver.server.transport.http;

import io.helidon.common.mapper.MapperManager;

/**
 * Pins Helidon's global mapper manager once. Helidon 4.2.3 reads {@code Content-Length} and builds each routing
 * level's path parameters through {@code MapperManager.global()}, which, while no manager was ever set, asks
 * Helidon's service registry on every call: a fifth of the server's CPU samples on the small-call HTTP path
 * (docs/benchmarks.md, issue 14 item 2). Once set, the lookup is a field read.
 */
@SuppressWarnings("removal")
final class HelidonMappers {

    private static boolean pinned;

    private HelidonMappers() {
    }

    /**
     * Sets the global manager (built as the registry would build it) unless this already happened. The setter is
     * deprecated for removal in Helidon 4.2 with no replacement that reaches {@code MapperManager.global()}'s fast
     * path; when it goes, so does the cost it avoids (re-measure then).
     */
    @SuppressWarnings("removal")
    static synchronized void pinGlobal() {
        if (!pinned) {
            pinned = true;
            MapperManager.global(MapperManager.create());
        }
    }
}
