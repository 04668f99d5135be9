package io.mcpserver.server.transport.tcp;

import io.mcpserver.server.McpServer;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.presence.Presence;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.transport.TestCertificates;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A TLS client on TCP that stops reading while its answers are due, so that the server's write to it blocks; with
 * the write timeout off, only the server can end it. Closing a TLS socket sends a close_notify, which waits for the
 * blocked write's record lock: the administrator's disconnect waited for ever. The shutdown got away only because
 * cancelling the calls interrupts the virtual threads writing their answers, which closes the socket.
 */
class TlsStalledClientTest {

    private static final String BIG = "x".repeat(1 << 20);

    @TempDir
    Path home;
    private McpServer server;
    private int port;
    private TestCertificates serverCert;

    @BeforeEach
    void start() throws Exception {
        serverCert = TestCertificates.create(home, "server");
        Path yaml = home.resolve("mcp.yaml");
        Files.writeString(yaml, """
                server:
                  host: 127.0.0.1
                  shutdown-grace: 1s
                transports:
                  tcp:
                    port: 0
                    write-timeout: 0
                    tls:
                      enabled: true
                      certificate: %s
                      private-key: %s
                  http:
                    enabled: false
                """.formatted(serverCert.certificatePem(), serverCert.privateKeyPem()));
        ServerConfig config = ServerConfig.from(ConfigLoader.load(yaml, null, Map.of(), Map.of()), home, yaml, "test");
        server = new McpServer(config, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
        server.core().features().register(new Contributions(new Owner("test", getClass().getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("big").build(), (args, ctx) -> ToolResult.text(BIG))),
                List.of(), List.of(), List.of(), List.of()));
        server.start();
        port = URI.create(server.endpoints().get("tcp")).getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            CompletableFuture.runAsync(server::close); // never wait here for the close the test may have found hanging
        }
    }

    /** A TLS client that asks for 16 MiB of answers and reads none: the server's writer blocks on it. */
    private SSLSocket stalledClient() throws Exception {
        SSLSocket socket = (SSLSocket) TestCertificates.clientContext(serverCert, null).getSocketFactory()
                .createSocket("127.0.0.1", port);
        socket.setReceiveBufferSize(4096);
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        StringBuilder lines = new StringBuilder("""
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"stalled","version":"1"}}}
                {"jsonrpc":"2.0","method":"notifications/initialized"}
                """);
        for (int i = 1; i <= 16; i++) {
            lines.append("{\"jsonrpc\":\"2.0\",\"id\":").append(i)
                    .append(",\"method\":\"tools/call\",\"params\":{\"name\":\"big\"}}\n");
        }
        out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        Session session = awaitTcpSession();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (session.inFlightCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(1_000); // 16 MiB do not fit in the socket buffers: the server is blocked writing by now
        assertTrue(session.inFlightCount() > 0 || !session.isClosed(), "the stalled client's session is still open");
        return socket;
    }

    private Session awaitTcpSession() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Optional<Session> tcp = server.core().sessions().all().stream()
                    .filter(s -> !s.isClosed() && !s.isStateless()).findFirst();
            if (tcp.isPresent()) {
                return tcp.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the stalled client's session never opened");
    }

    @Test
    void anAdministratorsDisconnectOfAStalledTlsClientReturns() throws Exception {
        try (SSLSocket ignored = stalledClient()) {
            Session session = awaitTcpSession();
            CompletableFuture<Presence.Disconnect> disconnect = CompletableFuture.supplyAsync(
                    () -> server.presence().disconnect(session.clientId(), "test"));
            assertEquals(Presence.Disconnect.CLOSED, disconnect.get(10, TimeUnit.SECONDS),
                    "the disconnect of a TLS client whose write is blocked did not return");
            assertTrue(session.isClosed());
        }
    }

    @Test
    void theServerStopsWithAStalledTlsClientConnected() throws Exception {
        try (SSLSocket ignored = stalledClient()) {
            McpServer stopping = server;
            CompletableFuture<Void> close = CompletableFuture.runAsync(stopping::close);
            close.get(15, TimeUnit.SECONDS); // running calls get 1 s (server.shutdown-grace), then are cancelled
            server = null;
        }
    }
}
