package io.mcpserver.spi.auth;

import java.util.Locale;
import java.util.Objects;

/**
 * A credential a client presented at a transport's edge, as the server found it: the scheme of an
 * {@code Authorization} header ({@code bearer}, {@code apikey}, or any other a {@link CredentialChecker} claims), the
 * secret after it, and where it came from. {@link #toString()} never shows the secret.
 */
public final class Credential {

    /** {@code Authorization: Bearer <token>} (also a WebSocket {@code access_token}). */
    public static final String BEARER = "bearer";
    /** {@code Authorization: ApiKey <key>} or {@code X-API-Key: <key>}. */
    public static final String API_KEY = "apikey";

    private final String scheme;
    private final String secret;
    private final String transport;
    private final String remoteAddress;

    private Credential(String scheme, String secret, String transport, String remoteAddress) {
        this.scheme = Objects.requireNonNull(scheme, "scheme").toLowerCase(Locale.ROOT);
        this.secret = Objects.requireNonNull(secret, "secret");
        this.transport = transport;
        this.remoteAddress = remoteAddress;
    }

    /**
     * @param scheme        the scheme, any case ({@code Bearer} is {@code bearer})
     * @param secret        the credential itself, never blank
     * @param transport     {@code http}, {@code sse}, {@code websocket}, {@code tcp} or a plugin transport's name
     * @param remoteAddress the client's address as the transport knows it; null if unknown
     */
    public static Credential of(String scheme, String secret, String transport, String remoteAddress) {
        return new Credential(scheme, secret, transport, remoteAddress);
    }

    /** The scheme in lower case: {@link #BEARER}, {@link #API_KEY}, or another one a checker claims. */
    public String scheme() {
        return scheme;
    }

    /** The secret: the token or the key. Never log it. */
    public String secret() {
        return secret;
    }

    /** The transport the credential arrived on. */
    public String transport() {
        return transport;
    }

    /** The client's address, or null if unknown. */
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return "Credential[" + scheme + " ****, " + transport + ", " + remoteAddress + "]";
    }
}
