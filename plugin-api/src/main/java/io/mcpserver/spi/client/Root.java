package io.mcpserver.spi.client;

/** A root the client exposes: a {@code file://} URI and an optional name. */
public record Root(String uri, String name) {
}
