package io.mcpserver.spi.client;

/** The client did not declare the capability a request needs, so the server did not ask it. */
public class UnsupportedByClientException extends RuntimeException {

    private final ClientFeature feature;

    public UnsupportedByClientException(ClientFeature feature) {
        super("the client does not support " + feature.name().toLowerCase(java.util.Locale.ROOT));
        this.feature = feature;
    }

    public ClientFeature feature() {
        return feature;
    }
}
