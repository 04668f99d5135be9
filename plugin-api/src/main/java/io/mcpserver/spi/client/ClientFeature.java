package io.mcpserver.spi.client;

/** Things a tool may ask of the client, each behind a client capability. */
public enum ClientFeature {
    SAMPLING,
    /** Elicitation in form mode ({@code capabilities.elicitation}, with or without {@code form}). */
    ELICITATION,
    ROOTS,
    /** Elicitation in URL mode ({@code capabilities.elicitation.url}, 2025-11-25 and later). */
    ELICITATION_URL
}
