package io.mcpserver.server.transport;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;

/** Self-signed keys for TLS tests, made with the JDK's keytool: a PKCS#12 keystore, and the same as PEM files. */
public record TestCertificates(Path keystore, String password, Path certificatePem, Path privateKeyPem) {

    public static final String PASSWORD = "changeit";

    /** A key pair and self-signed certificate for {@code CN=name}, valid for 127.0.0.1 and localhost. */
    public static TestCertificates create(Path dir, String name) throws Exception {
        return create(dir, name, name, "SAN=ip:127.0.0.1,dns:localhost");
    }

    /**
     * An ordinary client certificate: {@code CN=cn} and no subject alternative name at all (a person or a service,
     * not a host), in files named after {@code file}.
     */
    public static TestCertificates clientWithoutSan(Path dir, String file, String cn) throws Exception {
        return create(dir, file, cn, null);
    }

    private static TestCertificates create(Path dir, String name, String cn, String san) throws Exception {
        Path keystore = dir.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = new java.util.ArrayList<>(List.of(keytool, "-genkeypair", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + cn, "-validity", "2"));
        if (san != null) {
            command.addAll(List.of("-ext", san));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance(keystore.toFile(), PASSWORD.toCharArray());
        Certificate cert = store.getCertificate(name);
        byte[] key = store.getKey(name, PASSWORD.toCharArray()).getEncoded(); // PKCS#8
        Path certPem = dir.resolve(name + ".crt.pem");
        Path keyPem = dir.resolve(name + ".key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key));
        return new TestCertificates(keystore, PASSWORD, certPem, keyPem);
    }

    /** A client context that trusts {@code server} and, if given, presents {@code client}'s certificate. */
    public static SSLContext clientContext(TestCertificates server, TestCertificates client) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        KeyStore serverStore = KeyStore.getInstance(server.keystore().toFile(), PASSWORD.toCharArray());
        trusted.setCertificateEntry("server", serverStore.getCertificate(serverStore.aliases().nextElement()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        KeyManagerFactory kmf = null;
        if (client != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(KeyStore.getInstance(client.keystore().toFile(), PASSWORD.toCharArray()), PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) throws IOException {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
