package io.mcpserver.server.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A listener's {@code tls} block, the same shape for every network transport ({@code transports.tcp.tls},
 * {@code transports.http.tls}). The server's key and certificate come either from two PEM files or from a
 * keystore; client certificates are checked against {@code client-ca} when {@code client-auth} asks for them.
 *
 * @param certificate      PEM file with the server certificate, then any intermediates
 * @param privateKey       PEM file with the server's unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY})
 * @param keystore         PKCS#12 (or JKS) keystore holding the server's key and certificate, instead of the PEMs
 * @param keystorePassword the keystore's password, also used for the key inside it
 * @param clientAuth       whether a client certificate is asked for
 * @param clientCa         PEM file of the certificate authorities a client certificate must chain to
 */
public record TlsSettings(boolean enabled, Path certificate, Path privateKey, Path keystore, String keystorePassword,
                          ClientAuth clientAuth, Path clientCa) {

    /** Whether a client certificate is asked for during the handshake. */
    public enum ClientAuth {
        /** not asked for */
        NONE,
        /** asked for; a client without one is let in, one with an untrusted one is refused */
        OPTIONAL,
        /** required: a client without a trusted certificate is refused */
        REQUIRED
    }

    public static final TlsSettings DISABLED = new TlsSettings(false, null, null, null, null, ClientAuth.NONE, null);

    /** Reads the block under {@code prefix} (e.g. {@code transports.tcp.tls}); relative paths resolve against home. */
    public static TlsSettings read(ConfigReader r, String prefix, Path home) {
        boolean enabled = r.bool(prefix + ".enabled");
        TlsSettings tls = new TlsSettings(enabled,
                r.path(prefix + ".certificate", home),
                r.path(prefix + ".private-key", home),
                r.path(prefix + ".keystore", home),
                r.string(prefix + ".keystore-password"),
                r.enumValue(prefix + ".client-auth", ClientAuth.class),
                r.path(prefix + ".client-ca", home));
        if (enabled) {
            tls.validate(r, prefix);
        }
        return tls;
    }

    private void validate(ConfigReader r, String prefix) {
        boolean pem = certificate != null || privateKey != null;
        if (pem && keystore != null) {
            r.problem(prefix, "set either certificate + private-key or keystore, not both");
        } else if (!pem && keystore == null) {
            r.problem(prefix, "enabled, but neither certificate + private-key nor keystore is set");
        } else if (pem && (certificate == null || privateKey == null)) {
            r.problem(prefix, "certificate and private-key must be set together");
        }
        readable(r, prefix + ".certificate", certificate);
        readable(r, prefix + ".private-key", privateKey);
        readable(r, prefix + ".keystore", keystore);
        readable(r, prefix + ".client-ca", clientCa);
        if (clientAuth != ClientAuth.NONE && clientCa == null) {
            r.problem(prefix + ".client-ca", "needed when client-auth is " + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
                    + ": the CA certificates (PEM) that client certificates must chain to");
        }
    }

    private static void readable(ConfigReader r, String key, Path file) {
        if (file != null && !Files.isReadable(file)) {
            r.problem(key, "file " + file + " does not exist or is not readable");
        }
    }
}
