package io.mcpserver.server.protocol;

import java.util.Optional;

/** The MCP revisions this server speaks, oldest first. */
public enum ProtocolVersion {
    V2024_11_05("2024-11-05"),
    V2025_03_26("2025-03-26"),
    V2025_06_18("2025-06-18"),
    V2025_11_25("2025-11-25"),
    /** The stateless revision: no initialize, per-request _meta. */
    V2026_07_28("2026-07-28");

    private final String id;

    ProtocolVersion(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Newest revision that starts with {@code initialize}. */
    public static final ProtocolVersion LATEST_LEGACY = V2025_11_25;

    public static Optional<ProtocolVersion> of(String id) {
        for (ProtocolVersion v : ALL) { // a loop over one array: this runs several times on every HTTP request
            if (v.id.equals(id)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private static final ProtocolVersion[] ALL = values();

    public boolean isLegacy() {
        return compareTo(V2026_07_28) < 0;
    }

    public boolean atLeast(ProtocolVersion other) {
        return compareTo(other) >= 0;
    }
}
