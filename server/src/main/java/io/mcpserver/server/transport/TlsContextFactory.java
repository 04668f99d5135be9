package io.mcpserver.server.transport;

import io.mcpserver.server.config.TlsSettings;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds a server {@link SSLContext} from a {@link TlsSettings} block, for any transport that offers TLS. */
public final class TlsContextFactory {

    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");
    private static final char[] NO_PASSWORD = new char[0];

    private TlsContextFactory() {
    }

    /** The context for a listener; the message of the exception names the file and what is wrong with it. */
    public static SSLContext create(TlsSettings tls) throws GeneralSecurityException, IOException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        if (tls.keystore() != null) {
            char[] password = tls.keystorePassword() == null ? NO_PASSWORD : tls.keystorePassword().toCharArray();
            keys.init(KeyStore.getInstance(tls.keystore().toFile(), password), password);
        } else {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<Certificate> chain = certificates(tls.certificate());
            store.setKeyEntry("server", privateKey(tls.privateKey()), NO_PASSWORD, chain.toArray(Certificate[]::new));
            keys.init(store, NO_PASSWORD);
        }
        TrustManagerFactory trust = null;
        if (tls.clientCa() != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate ca : certificates(tls.clientCa())) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
        return context;
    }

    /** Applies {@code client-auth} to a socket's or engine's parameters. */
    public static void applyClientAuth(TlsSettings tls, SSLParameters parameters) {
        switch (tls.clientAuth()) {
            case REQUIRED -> parameters.setNeedClientAuth(true);
            case OPTIONAL -> parameters.setWantClientAuth(true);
            case NONE -> parameters.setNeedClientAuth(false);
        }
    }

    private static List<Certificate> certificates(Path pem) throws GeneralSecurityException, IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            List<Certificate> certificates = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certificates.isEmpty()) {
                throw new GeneralSecurityException(pem + ": no certificate found (expected PEM, BEGIN CERTIFICATE)");
            }
            return certificates;
        }
    }

    private static PrivateKey privateKey(Path pem) throws GeneralSecurityException, IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(text);
        if (!m.find()) {
            throw new GeneralSecurityException(pem + ": no PEM private key found (expected BEGIN PRIVATE KEY)");
        }
        if (!m.group(1).isEmpty()) {
            throw new GeneralSecurityException(pem + ": a '" + m.group(1) + "PRIVATE KEY' is not supported; convert it "
                    + "to unencrypted PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(2)));
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new GeneralSecurityException(pem + ": the private key is not an RSA, EC or EdDSA key in PKCS#8");
    }
}
