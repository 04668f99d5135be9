package io.mcpserver.spi.client;

/** Things a tool may ask of the client, each behind a client capability. */
public enum ClientFeature {
    SAMPLING, ELICITATION, ROOTS
}
