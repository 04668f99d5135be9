package io.mcpserver.server.transport.tcp;

import io.mcpserver.server.testing.LineClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.config.TcpSettings;
import io.mcpserver.server.config.TlsSettings;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.transport.TestCertificates;
import io.mcpserver.server.transport.TransportFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.mcpserver.server.transport.TransportFixture.INITIALIZED;
import static io.mcpserver.server.transport.TransportFixture.callTool;
import static io.mcpserver.server.transport.TransportFixture.callToolWithProgress;
import static io.mcpserver.server.transport.TransportFixture.initialize;
import static io.mcpserver.server.transport.TransportFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TCP transport on a real socket, driven with raw NDJSON lines as {@code nc} would send them. */
class TcpTransportTest {

    private static final long LIMIT = 64 * 1024;

    private final TransportFixture fixture = new TransportFixture();
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private TcpTransport transport;

    private TcpTransport start(int maxConnections, Duration halfCloseTimeout, TlsSettings tls) throws Exception {
        transport = new TcpTransport(fixture.core,
                new TcpSettings(true, "127.0.0.1", 0, LIMIT, maxConnections, halfCloseTimeout, tls),
                TransportFixture.anonymous());
        transport.start();
        return transport;
    }

    private int start() throws Exception {
        return port(start(1000, Duration.ofSeconds(30), TlsSettings.DISABLED));
    }

    private static int port(TcpTransport t) {
        String endpoint = t.endpoint();
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    private LineClient client(int port) throws IOException {
        LineClient c = LineClient.connect(port);
        closeLater.add(c);
        return c;
    }

    private LineClient initialized(int port) throws Exception {
        LineClient c = client(port);
        c.send(initialize(0));
        assertTrue(c.response(0).has("result"), () -> "initialize failed: " + c.lines());
        c.send(INITIALIZED);
        return c;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
        if (transport != null) {
            transport.close();
        }
    }

    @Test
    void endpointReportsTheBoundPort() throws Exception {
        TcpTransport t = start(10, Duration.ofSeconds(1), TlsSettings.DISABLED);
        assertTrue(t.endpoint().matches("tcp=127\\.0\\.0\\.1:\\d+"), t.endpoint());
        assertNotEquals(0, port(t));
    }

    @Test
    void scriptedSessionGetsOneJsonLinePerMessage() throws Exception {
        LineClient c = client(start());
        c.send(initialize(1));
        JsonNode init = c.response(1);
        assertEquals("2025-11-25", init.path("result").path("protocolVersion").asText(), init.toString());
        c.send(INITIALIZED);
        c.send(request(2, "tools/list", null));
        JsonNode tools = c.response(2).path("result").path("tools");
        assertEquals(Set.of("echo", "count", "block"), names(tools));
        c.send(callTool("three", "echo", "{\"text\":\"héllo ✓\"}"));
        JsonNode echo = c.response("three");
        assertEquals("three", echo.get("id").asText());
        assertEquals("héllo ✓", echo.path("result").path("content").get(0).path("text").asText());
        c.send(request(4, "ping", "{}"));
        assertTrue(c.response(4).path("result").isObject());
        // every line the server wrote was exactly one JSON-RPC message
        for (String line : c.lines()) {
            assertTrue(line.startsWith("{\"jsonrpc\":\"2.0\""), line);
        }
        assertEquals(4, c.lines().size(), () -> "unexpected extra lines: " + c.lines());
    }

    @Test
    void progressNotificationsArriveBeforeTheResult() throws Exception {
        LineClient c = initialized(start());
        c.send(callToolWithProgress(5, "count", "{\"n\":3}", "p-1"));
        JsonNode result = c.response(5);
        assertEquals("counted to 3", result.path("result").path("content").get(0).path("text").asText());
        List<JsonNode> progress = c.pending().stream()
                .filter(m -> "notifications/progress".equals(m.path("method").asText())).toList();
        assertEquals(3, progress.size(), c.lines().toString());
        assertEquals("p-1", progress.get(0).path("params").path("progressToken").asText());
    }

    @Test
    void twoHundredConcurrentClientsEachCompleteTheirCalls() throws Exception {
        int port = start();
        int clients = 200;
        int calls = 5;
        List<String> clientIds = new ArrayList<>();
        java.util.concurrent.CountDownLatch allConnected = new java.util.concurrent.CountDownLatch(clients);
        java.util.concurrent.CountDownLatch counted = new java.util.concurrent.CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int client = i;
                results.add(pool.submit(() -> {
                    try (LineClient c = LineClient.connect(port)) {
                        c.send(initialize(0));
                        c.response(0);
                        c.send(INITIALIZED);
                        allConnected.countDown();
                        assertTrue(counted.await(120, TimeUnit.SECONDS), "the sessions were counted");
                        for (int k = 1; k <= calls; k++) {
                            c.send(callTool(k, "echo", "{\"text\":\"client " + client + " call " + k + "\"}"));
                        }
                        int ok = 0;
                        for (int k = 1; k <= calls; k++) {
                            String text = c.response(k).path("result").path("content").get(0).path("text").asText();
                            if (text.equals("client " + client + " call " + k)) {
                                ok++;
                            }
                        }
                        return ok;
                    }
                }));
            }
            // every client is connected now: each has a session, and each session its own id
            assertTrue(allConnected.await(120, TimeUnit.SECONDS), "all clients connected");
            fixture.core.sessions().all().forEach(s -> clientIds.add(s.clientId()));
            counted.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(clients * calls, total);
        }
        assertEquals(clients, clientIds.size(), "one session per connected client: " + clientIds);
        Set<String> unique = new HashSet<>(clientIds);
        assertEquals(clients, unique.size(), "client ids must be unique");
        assertTrue(unique.stream().allMatch(id -> id.startsWith("tcp-")), unique.toString());
        awaitNoSessions();
    }

    @Test
    void nonJsonLineIsAParseErrorAndTheConnectionStaysUsable() throws Exception {
        LineClient c = initialized(start());
        c.send("this is not json");
        JsonNode error = c.await(m -> m.has("error"), "parse error");
        assertEquals(-32700, error.path("error").path("code").asInt());
        assertTrue(error.get("id").isNull());
        c.send(callTool(2, "echo", "{\"text\":\"still here\"}"));
        assertEquals("still here", c.response(2).path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void oversizedLineIsRefusedAndTheConnectionStaysUsable() throws Exception {
        LineClient c = initialized(start());
        String big = callTool(2, "echo", "{\"text\":\"" + "x".repeat((int) LIMIT * 3) + "\"}");
        c.send(big);
        JsonNode error = c.await(m -> m.has("error"), "size error");
        assertEquals(-32600, error.path("error").path("code").asInt());
        assertTrue(error.path("error").path("message").asText().contains("too large"), error.toString());
        c.send(callTool(3, "echo", "{\"text\":\"after\"}"));
        assertEquals("after", c.response(3).path("result").path("content").get(0).path("text").asText());
        assertFalse(c.lines().stream().anyMatch(l -> l.contains("xxxx")), "the oversized message must not be echoed");
    }

    @Test
    void halfClosedClientStillGetsItsAnswersThenTheServerCloses() throws Exception {
        LineClient c = client(start());
        // as `printf … | nc -N`: everything at once, then shut down the sending side
        c.sendRaw((initialize(1) + "\n" + INITIALIZED + "\n" + callToolWithProgress(2, "count", "{\"n\":20}", "t")
                + "\n" + callTool(3, "echo", "{\"text\":\"last\"}") + "\n").getBytes(StandardCharsets.UTF_8));
        c.socket.shutdownOutput();
        assertEquals("counted to 20", c.response(2).path("result").path("content").get(0).path("text").asText());
        assertEquals("last", c.response(3).path("result").path("content").get(0).path("text").asText());
        assertTrue(c.awaitEof(15_000), "the server closes once every request is answered");
        awaitNoSessions();
    }

    @Test
    void halfClosedClientWhoseRequestNeverEndsIsCancelledAfterTheTimeout() throws Exception {
        LineClient c = client(port(start(10, Duration.ofMillis(500), TlsSettings.DISABLED)));
        c.send(initialize(1));
        c.response(1);
        c.send(callTool(2, "block", "{\"tag\":\"half\"}"));
        assertEquals("half", fixture.blockStarted.poll(10, TimeUnit.SECONDS));
        c.socket.shutdownOutput();
        assertEquals("half", fixture.blockCancelled.poll(10, TimeUnit.SECONDS));
        assertTrue(c.awaitEof(15_000));
    }

    @Test
    void clientVanishingMidCallIsCancelledAndOthersAreUnaffected() throws Exception {
        int port = start();
        LineClient other = initialized(port);
        LineClient leaving = initialized(port);
        leaving.send(callTool(7, "block", "{\"tag\":\"vanish\"}"));
        assertEquals("vanish", fixture.blockStarted.poll(10, TimeUnit.SECONDS));
        leaving.reset();
        assertEquals("vanish", fixture.blockCancelled.poll(10, TimeUnit.SECONDS), "the running call is cancelled");
        awaitSessions(1);
        other.send(callTool(8, "echo", "{\"text\":\"unaffected\"}"));
        assertEquals("unaffected", other.response(8).path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void clientClosingDuringCallWithOutputIsCancelledWhenTheWriteFails() throws Exception {
        LineClient c = initialized(start());
        c.send(callToolWithProgress(9, "count", "{\"n\":4000}", "gone")); // ~20 s of progress
        c.await(m -> "notifications/progress".equals(m.path("method").asText()), "first progress");
        c.close(); // an orderly close: the server only learns the client is gone when a write fails
        awaitNoSessions();
    }

    @Test
    void connectionsOverTheLimitGetOneErrorLineAndAreClosed() throws Exception {
        int port = port(start(2, Duration.ofSeconds(1), TlsSettings.DISABLED));
        LineClient a = initialized(port);
        initialized(port);
        LineClient refused = client(port);
        JsonNode error = refused.await(m -> m.has("error"), "refusal");
        assertEquals(-32000, error.path("error").path("code").asInt());
        assertTrue(error.path("error").path("message").asText().contains("Too many connections"), error.toString());
        assertTrue(refused.awaitEof(15_000));
        assertEquals(1, refused.lines().size());
        a.close();
        awaitSessions(1);
        long deadline = System.currentTimeMillis() + 15_000;
        while (transport.openConnections() > 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        LineClient again = initialized(port); // a place is free again
        again.send(callTool(2, "echo", "{\"text\":\"in\"}"));
        assertEquals("in", again.response(2).path("result").path("content").get(0).path("text").asText());
    }

    @Test
    void closingTheTransportClosesItsClients() throws Exception {
        LineClient c = initialized(start());
        transport.close();
        assertTrue(c.awaitEof(15_000));
        awaitNoSessions();
    }

    @Test
    void tlsWithAKeystore(@TempDir Path dir) throws Exception {
        TestCertificates server = TestCertificates.create(dir, "server");
        int port = port(start(10, Duration.ofSeconds(1), new TlsSettings(true, null, null, server.keystore(),
                server.password(), TlsSettings.ClientAuth.NONE, null)));
        assertTrue(transport.endpoint().startsWith("tcp=tls://127.0.0.1:"), transport.endpoint());
        LineClient c = tlsClient(port, TestCertificates.clientContext(server, null));
        c.send(initialize(1));
        assertTrue(c.response(1).has("result"));
    }

    @Test
    void tlsWithPemFilesAndRequiredClientCertificates(@TempDir Path dir) throws Exception {
        TestCertificates server = TestCertificates.create(dir, "server");
        TestCertificates client = TestCertificates.create(dir, "client");
        int port = port(start(10, Duration.ofSeconds(1), new TlsSettings(true, server.certificatePem(),
                server.privateKeyPem(), null, null, TlsSettings.ClientAuth.REQUIRED, client.certificatePem())));

        LineClient trusted = tlsClient(port, TestCertificates.clientContext(server, client));
        trusted.send(initialize(1));
        assertTrue(trusted.response(1).has("result"));

        SSLSocket anonymous = (SSLSocket) TestCertificates.clientContext(server, null).getSocketFactory()
                .createSocket("127.0.0.1", port);
        closeLater.add(anonymous);
        assertThrows(IOException.class, () -> {
            anonymous.startHandshake();
            anonymous.getOutputStream().write((initialize(1) + "\n").getBytes(StandardCharsets.UTF_8));
            anonymous.getOutputStream().flush();
            if (anonymous.getInputStream().read() < 0) {
                throw new IOException("closed");
            }
        }, "a client without a certificate must be refused");
    }

    private LineClient tlsClient(int port, javax.net.ssl.SSLContext context) throws IOException {
        Socket socket = context.getSocketFactory().createSocket("127.0.0.1", port);
        LineClient c = new LineClient(socket);
        closeLater.add(c);
        return c;
    }

    private void awaitNoSessions() throws InterruptedException {
        awaitSessions(0);
    }

    private void awaitSessions(int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (fixture.core.sessions().countByTransport("tcp") != count) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("expected " + count + " tcp sessions, have "
                        + fixture.core.sessions().all().stream().map(Session::toString).toList());
            }
            Thread.sleep(10);
        }
    }

    private static Set<String> names(JsonNode tools) {
        Set<String> names = new HashSet<>();
        tools.forEach(t -> names.add(t.path("name").asText()));
        return names;
    }
}
