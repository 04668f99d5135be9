package io.mcpserver.spi.content;

import java.util.List;

/**
 * Hints for the client about a content block or resource.
 *
 * @param audience     who it is meant for: {@code user}, {@code assistant}, or both; null for unspecified
 * @param priority     0 (optional) to 1 (required); null for unspecified
 * @param lastModified ISO 8601 timestamp; null for unspecified
 */
public record Annotations(List<Role> audience, Double priority, String lastModified) {
}
