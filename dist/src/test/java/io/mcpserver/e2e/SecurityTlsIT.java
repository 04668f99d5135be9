package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/mcp-server} with TLS on both listeners (a certificate made by keytool in the test: PEM files for
 * TCP, a PKCS#12 keystore for HTTP), security on, a per-principal rate limit and a small message limit, driven
 * over HTTPS, WSS and TLS-TCP by the JDK's clients: tokens work, plain-text clients on the TLS ports fail cleanly,
 * and floods and oversized messages are refused on each transport while another client is served.
 */
class SecurityTlsIT {

    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"e2e\",\"version\":\"1\"}}}";
    private static final int MAX_MESSAGE = 64 * 1024;

    private static TestJwt issuer;
    private static final int RATE = 2;
    private static final int BURST = 5;
    private static ServerProcess server;
    private static SSLContext trusting;
    private static HttpClient https;

    @BeforeAll
    static void startServer() throws Exception {
        issuer = new TestJwt();
        Path dir = Files.createTempDirectory(TestEnv.workRoot(), "security-tls-");
        Path jwks = issuer.writeJwks(dir.resolve("jwks.json"));
        Path keystore = certificate(dir);
        Path[] pem = pem(keystore, dir);
        server = ServerProcess.builder().name("security-tls").plugins("demo").config("""
                limits:
                  max-message-size: %d
                  rate:
                    per-principal: %d
                    per-principal-burst: %d
                transports:
                  tcp:
                    tls:
                      enabled: true
                      certificate: %s
                      private-key: %s
                  http:
                    tls:
                      enabled: true
                      keystore: %s
                      keystore-password: changeit
                security:
                  enabled: true
                  resource: %s
                  jwt:
                    jwks-file: %s
                    issuer: %s
                """.formatted(MAX_MESSAGE, RATE, BURST, pem[0], pem[1], keystore, TestJwt.AUDIENCE, jwks, TestJwt.ISSUER)).start();
        trusting = trusting(keystore);
        https = HttpClient.newBuilder().sslContext(trusting).build();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A self-signed EC certificate for 127.0.0.1, made by the JDK's keytool, in a PKCS#12 keystore. */
    private static Path certificate(Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=mcp-e2e", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return keystore;
    }

    /** The same key and certificate as PEM files: {certificate, private key}. */
    private static Path[] pem(Path keystore, Path dir) throws Exception {
        KeyStore store = KeyStore.getInstance(keystore.toFile(), "changeit".toCharArray());
        java.util.Base64.Encoder b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(store.getCertificate("server")
                .getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(store.getKey("server",
                "changeit".toCharArray()).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return new Path[] {cert, key};
    }

    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", KeyStore.getInstance(keystore.toFile(), "changeit".toCharArray())
                .getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static URI httpsUri(String path) {
        return URI.create("https://127.0.0.1:" + server.httpPort() + path);
    }

    private static String bearer(String subject) throws Exception {
        return "Bearer " + issuer.token(subject, null);
    }

    private static String echo(int id, String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"" + text + "\"}}}";
    }

    private static HttpRequest post(String auth, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(httpsUri("/mcp")).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        }
        return b.build();
    }

    private static String httpsSession(String auth) throws Exception {
        HttpResponse<String> r = https.send(post(auth, null, INIT), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    // ---- TLS -------------------------------------------------------------------------------------------

    @Test
    void httpsNeedsAToken() throws Exception {
        assertEquals(401, https.send(post(null, null, INIT), HttpResponse.BodyHandlers.ofString()).statusCode());
        String session = httpsSession(bearer("tls-https"));
        HttpResponse<String> r = https.send(post(bearer("tls-https"), session, echo(1, "over https")),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("over https", JSON.readTree(r.body()).at("/result/content/0/text").asText(), r.body());
    }

    @Test
    void wssNeedsAToken() throws Exception {
        Wss ws = Wss.open(bearer("tls-wss"));
        ws.send(INIT);
        assertEquals("2025-11-25", ws.next().at("/result/protocolVersion").asText());
        ws.send(echo(1, "over wss"));
        assertEquals("over wss", ws.next().at("/result/content/0/text").asText());
        ws.socket.abort();
        var refused = assertThrows(java.util.concurrent.CompletionException.class, () -> Wss.open(null));
        assertEquals(401, ((java.net.http.WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
    }

    @Test
    void tlsTcpNeedsATokenInTheFirstMessage() throws Exception {
        try (Lines tcp = Lines.tls(null)) {
            tcp.send(INIT);
            assertEquals(-32001, tcp.next().at("/error/code").asInt());
        }
        try (Lines tcp = Lines.tls("tls-tcp")) {
            tcp.send(echo(1, "over tls"));
            assertEquals("over tls", tcp.next().at("/result/content/0/text").asText());
        }
    }

    @Test
    void plainTextClientsOnTheTlsPortsFailCleanly() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", server.tcpPort())) {
            plain.setSoTimeout(15_000);
            plain.getOutputStream().write((INIT + "\n").getBytes(StandardCharsets.UTF_8));
            plain.getOutputStream().flush();
            String answer = new String(plain.getInputStream().readNBytes(4096), StandardCharsets.ISO_8859_1);
            assertFalse(answer.contains("jsonrpc"), "no JSON-RPC without TLS: " + answer);
        } catch (java.net.SocketTimeoutException hung) {
            org.junit.jupiter.api.Assertions.fail("the TLS port neither refused nor closed a plain-text connection");
        } catch (IOException reset) {
            // a reset is a clean refusal too
        }
        assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/mcp")).timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(INIT)).build(), HttpResponse.BodyHandlers.ofString()));
        tlsTcpNeedsATokenInTheFirstMessage(); // and TLS clients are still served
    }

    // ---- rate and size limits --------------------------------------------------------------------------

    /**
     * A token bucket of RATE/s and BURST admits at most BURST + RATE × elapsed requests however loaded the machine:
     * check that bound, and that something was refused unless so much time passed that nothing had to be.
     */
    private static void assertBucketHeld(String what, int sent, int refused, long startedNanos) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        int admitted = sent - refused;
        assertTrue(admitted <= BURST + Math.ceil(RATE * seconds),
                what + ": " + admitted + " of " + sent + " admitted in " + seconds + " s at " + RATE + "/s, burst " + BURST);
        assertTrue(refused >= 1 || BURST + RATE * seconds >= sent,
                what + ": nothing refused of " + sent + " in " + seconds + " s at " + RATE + "/s, burst " + BURST);
    }

    @Test
    void floodsAreLimitedOnEveryTransportWhileOthersAreServed() throws Exception {
        long started = System.nanoTime();
        try (Lines flooder = Lines.tls("flood-tcp")) {
            for (int i = 1; i <= 30; i++) {
                flooder.send(echo(i, "x"));
            }
            int limited = 0;
            for (int i = 1; i <= 30; i++) {
                JsonNode r = flooder.next();
                if (r.has("error")) {
                    assertEquals(-32000, r.at("/error/code").asInt(), r.toString());
                    assertTrue(r.at("/error/data/retryAfterMs").asLong() > 0, r.toString());
                    limited++;
                } else {
                    assertEquals("x", r.at("/result/content/0/text").asText(), r.toString());
                }
            }
            assertBucketHeld("TCP", 31, limited, started); // the initialize took a token too
        }

        String flood = bearer("flood-https");
        started = System.nanoTime();
        String session = httpsSession(flood);
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            replies.add(https.sendAsync(post(flood, session, echo(i, "x")), HttpResponse.BodyHandlers.ofString()));
        }
        String calm = bearer("calm-https");
        HttpResponse<String> served = https.send(post(calm, httpsSession(calm), echo(1, "served")),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("served", JSON.readTree(served.body()).at("/result/content/0/text").asText(), served.body());
        int tooMany = 0;
        for (var reply : replies) {
            HttpResponse<String> r = reply.get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 429) {
                tooMany++;
                assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow()) >= 1);
                assertEquals(-32000, JSON.readTree(r.body()).at("/error/code").asInt(), r.body());
            } else {
                assertEquals(200, r.statusCode(), r.body());
            }
        }
        assertBucketHeld("HTTPS", 31, tooMany, started);

        started = System.nanoTime();
        Wss ws = Wss.open(bearer("flood-wss"));
        ws.send(INIT);
        ws.next();
        for (int i = 1; i <= 20; i++) {
            ws.send(echo(i, "x"));
        }
        int limited = 0;
        for (int i = 1; i <= 20; i++) {
            JsonNode r = ws.next();
            if (r.has("error")) {
                assertEquals(-32000, r.at("/error/code").asInt(), r.toString());
                limited++;
            } else {
                assertEquals("x", r.at("/result/content/0/text").asText(), r.toString());
            }
        }
        ws.socket.abort();
        assertBucketHeld("WSS", 21, limited, started);
    }

    @Test
    void oversizedMessagesAreRefusedOnEveryTransport() throws Exception {
        String big = echo(9, "y".repeat(MAX_MESSAGE + 10));
        try (Lines tcp = Lines.tls("big-tcp")) {
            tcp.send(big);
            assertEquals(-32600, tcp.next().at("/error/code").asInt());
        }
        String auth = bearer("big-https");
        assertEquals(413, https.send(post(auth, httpsSession(auth), big), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        Wss ws = Wss.open(bearer("big-wss"));
        ws.socket.sendText(big, true);
        assertEquals(1009, ws.closed.get(15, TimeUnit.SECONDS));
    }

    /** NDJSON over TLS, authenticated with its first message unless {@code subject} is null. */
    private record Lines(SSLSocket socket, BufferedReader in, OutputStream out) implements AutoCloseable {

        static Lines tls(String subject) throws Exception {
            SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", server.tcpPort());
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            Lines lines = new Lines(socket, new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8)), socket.getOutputStream());
            if (subject != null) {
                ObjectNode init = (ObjectNode) JSON.readTree(INIT);
                ((ObjectNode) init.get("params")).putObject("_meta").put("io.mcpserver/authorization", bearer(subject));
                lines.send(JSON.writeValueAsString(init));
                assertEquals(0, lines.next().path("id").asInt());
            }
            return lines;
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        JsonNode next() throws Exception {
            String line = in.readLine();
            assertNotNull(line, "connection closed");
            return JSON.readTree(line);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The JDK's WebSocket client over TLS. */
    private static final class Wss implements WebSocket.Listener {
        final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        static Wss open(String auth) {
            Wss ws = new Wss();
            WebSocket.Builder b = https.newWebSocketBuilder().subprotocols("mcp");
            if (auth != null) {
                b.header("Authorization", auth);
            }
            ws.socket = b.buildAsync(URI.create("wss://127.0.0.1:" + server.httpPort() + "/ws"), ws)
                    .orTimeout(15, TimeUnit.SECONDS).join();
            return ws;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        JsonNode next() throws Exception {
            String text = inbox.poll(30, TimeUnit.SECONDS);
            assertNotNull(text, "no message");
            return JSON.readTree(text);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                inbox.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }
    }
}
