package io.mcpserver.server.transport.tcp;

import com.fasterxml.jackson.databind.node.NullNode;
import io.mcpserver.server.config.TcpSettings;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.SessionSlots;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.server.transport.ListenerAddress;
import io.mcpserver.server.transport.ServerTransport;
import io.mcpserver.server.transport.TlsContextFactory;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * Newline-delimited JSON-RPC over TCP (optionally TLS): an accept loop on a virtual thread and one virtual
 * thread and one session per connection ({@link TcpConnection}).
 */
public final class TcpTransport implements ServerTransport {

    private static final System.Logger LOG = System.getLogger(TcpTransport.class.getName());
    /** Lets a burst of clients queue in the kernel instead of being reset (Linux caps it at somaxconn). */
    private static final int BACKLOG = 1024;
    /** A client that has not finished the TLS handshake (or taken its refusal) by then is dropped. */
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private final McpCore core;
    private final TcpSettings settings;
    private final EdgeAuthenticator edge;
    private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private volatile ServerSocket server;
    private volatile boolean accepting = true;
    private volatile boolean closed;

    /** Security off: every client is {@code caller}. */
    public TcpTransport(McpCore core, TcpSettings settings, Caller caller) {
        this(core, settings, EdgeAuthenticator.off(caller));
    }

    /** @param edge authentication of each connection (TLS client certificate, else the first message) */
    public TcpTransport(McpCore core, TcpSettings settings, EdgeAuthenticator edge) {
        this.core = core;
        this.settings = settings;
        this.edge = edge;
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public void start() throws Exception {
        ServerSocket socket;
        if (settings.tls().enabled()) {
            SSLServerSocket tls = (SSLServerSocket) TlsContextFactory.create(settings.tls())
                    .getServerSocketFactory().createServerSocket();
            var parameters = tls.getSSLParameters();
            TlsContextFactory.applyClientAuth(settings.tls(), parameters);
            tls.setSSLParameters(parameters);
            socket = tls;
        } else {
            socket = new ServerSocket();
        }
        socket.setReuseAddress(true);
        try {
            socket.bind(new InetSocketAddress(settings.host(), settings.port()), BACKLOG);
        } catch (BindException e) {
            socket.close();
            throw ListenerAddress.unavailable(settings.host(), settings.port(), "transports.tcp.port (--tcp-port)",
                    e.getMessage());
        }
        server = socket;
        Thread.ofVirtual().name("mcp-tcp-accept").start(this::acceptLoop);
        if (!settings.writeTimeout().isZero()) {
            Thread.ofVirtual().name("mcp-tcp-write-watch").start(this::watchWrites);
        }
        LOG.log(System.Logger.Level.INFO, "TCP listening on " + address() + " (newline-delimited JSON-RPC"
                + (settings.tls().enabled() ? " over TLS, client certificates: "
                + settings.tls().clientAuth().name().toLowerCase(Locale.ROOT) : "") + ")");
    }

    private void acceptLoop() {
        while (!closed && accepting) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (closed || !accepting) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "TCP accept failed: " + e.getMessage());
                pause(); // e.g. out of file descriptors: don't spin
                continue;
            }
            if (open.incrementAndGet() > settings.maxConnections()) {
                open.decrementAndGet();
                Thread.ofVirtual().name("mcp-tcp-refuse").start(() -> refuse(socket));
            } else {
                Thread.ofVirtual().name("mcp-tcp-" + socket.getRemoteSocketAddress()).start(() -> serve(socket));
            }
        }
    }

    /**
     * Every quarter of {@code write-timeout} (at most a second), drops the connections whose write has been blocked
     * longer than that: a client that stopped reading would otherwise hold its answers and its session for good.
     */
    private void watchWrites() {
        long every = Math.min(settings.writeTimeout().toMillis() / 4, 1_000);
        while (!closed) {
            try {
                Thread.sleep(Math.max(every, 10));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            connections.forEach(c -> c.checkWrite(now));
        }
    }

    private void serve(Socket socket) {
        TcpConnection connection = null;
        SessionSlots.Slot slot = SessionSlots.Slot.NONE;
        try (socket) {
            socket.setTcpNoDelay(true); // one small message at a time: don't wait to fill a segment
            socket.setKeepAlive(true);
            String tlsPeer = handshake(socket);
            // with security on: a verified client certificate is the caller; else the first message must carry a token
            java.util.Optional<Caller> certified = edge.certificate(peerCertificates(socket));
            if (certified.isPresent()) {
                try { // limits.max-sessions-per-principal: a slot taken now, held by the connection's session
                    slot = edge.admitSession(core.sessions(), certified.get().subject());
                } catch (McpException e) {
                    OutputStream out = socket.getOutputStream();
                    out.write(Json.writeBytes(JsonRpc.error(NullNode.getInstance(), e)));
                    out.write('\n');
                    out.flush();
                    return;
                }
            }
            connection = new TcpConnection(core, socket, certified, settings, tlsPeer, edge);
            core.sessions().hold(connection.session(), slot);
            connections.add(connection);
            if (closed) {
                connection.shutdown();
            }
            connection.run();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "TCP client " + socket.getRemoteSocketAddress()
                    + ": TLS handshake failed: " + e.getMessage());
        } finally {
            slot.release(); // unless the connection's session holds it
            if (connection != null) {
                connections.remove(connection);
            }
            open.decrementAndGet();
        }
    }

    /** Completes the TLS handshake, if any, and describes the client's certificate (or null). */
    private static String handshake(Socket socket) throws IOException {
        if (!(socket instanceof SSLSocket tls)) {
            return null;
        }
        tls.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
        tls.startHandshake();
        tls.setSoTimeout(0);
        try {
            var certificates = tls.getSession().getPeerCertificates();
            return certificates.length > 0 && certificates[0] instanceof X509Certificate x509
                    ? "TLS, client certificate " + x509.getSubjectX500Principal().getName() : "TLS";
        } catch (SSLPeerUnverifiedException e) {
            return "TLS";
        }
    }

    private static Certificate[] peerCertificates(Socket socket) {
        try {
            return socket instanceof SSLSocket tls ? tls.getSession().getPeerCertificates() : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Over the connection limit: one JSON-RPC error line that says so, then close. */
    private void refuse(Socket socket) {
        LOG.log(System.Logger.Level.WARNING, "Refused TCP client " + socket.getRemoteSocketAddress() + ": "
                + settings.maxConnections() + " connections are open (transports.tcp.max-connections)");
        try (socket) {
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            if (socket instanceof SSLSocket tls) {
                tls.startHandshake();
            }
            OutputStream out = socket.getOutputStream();
            out.write(Json.writeBytes(JsonRpc.error(NullNode.getInstance(), ErrorCodes.LIMIT_EXCEEDED,
                    "Too many connections: the server allows " + settings.maxConnections()
                            + " at once; try again later", null)));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            // the client left first: nothing to tell it
        }
    }

    /** {@code tcp=127.0.0.1:41234} with the port actually bound, {@code tcp=tls://…} when TLS is on. */
    @Override
    public String endpoint() {
        return "tcp=" + (settings.tls().enabled() ? "tls://" : "") + address();
    }

    private String address() {
        ServerSocket s = server;
        if (s == null) {
            return settings.host() + ":" + settings.port();
        }
        String host = s.getInetAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + s.getLocalPort();
    }

    /** Connections open now (including those still in the TLS handshake). */
    public int openConnections() {
        return open.get();
    }

    @Override
    public Map<String, Integer> connectionCounts() {
        return Map.of("tcp", open.get());
    }

    /** Closes the listening socket (new clients are refused by the OS); connected clients are served on. */
    @Override
    public void stopAccepting() {
        accepting = false;
        closeListener();
    }

    @Override
    public void close() {
        closed = true;
        closeListener();
        connections.forEach(TcpConnection::shutdown);
    }

    private void closeListener() {
        ServerSocket s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the TCP listener: " + e.getMessage());
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
