package io.mcpserver.server.protocol;

import java.time.Duration;
import java.util.Locale;

/**
 * Settings of the stateless era (2026-07-28): caching hints and the key that protects
 * multi round-trip {@code requestState}.
 *
 * @param listTtl         {@code ttlMs} on {@code server/discover} and list results
 * @param readTtl         {@code ttlMs} on {@code resources/read} results
 * @param cacheScope      {@code cacheScope} ("private" or "public") on list and read results
 * @param requestStateKey HMAC-SHA256 key for {@code requestState}; null means a random key per process,
 *                        so a state issued by one instance is refused by another
 * @param requestStateTtl how long a {@code requestState} may be presented back
 */
public record StatelessSettings(Duration listTtl, Duration readTtl, String cacheScope, byte[] requestStateKey,
                             Duration requestStateTtl) {

    /** Shortest key accepted: as long as the HMAC-SHA256 output. */
    public static final int MIN_KEY_BYTES = 32;

    public StatelessSettings {
        String scope = cacheScope == null ? "private" : cacheScope.toLowerCase(Locale.ROOT);
        if (!scope.equals("private") && !scope.equals("public")) {
            throw new IllegalArgumentException("cache scope must be 'private' or 'public', was '" + cacheScope + "'");
        }
        cacheScope = scope;
        if (requestStateKey != null && requestStateKey.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the request-state key must have at least " + MIN_KEY_BYTES
                    + " bytes, has " + requestStateKey.length);
        }
        requestStateKey = requestStateKey == null ? null : requestStateKey.clone();
    }

    @Override
    public byte[] requestStateKey() {
        return requestStateKey == null ? null : requestStateKey.clone();
    }
}
