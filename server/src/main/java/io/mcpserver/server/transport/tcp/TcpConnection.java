package io.mcpserver.server.transport.tcp;

import io.mcpserver.server.config.TcpSettings;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.observe.LogThrottle;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.ReadTurn;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.security.EdgeAuthenticator;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.server.transport.LineReader;
import io.mcpserver.server.transport.LineWriter;
import io.mcpserver.server.transport.ReaderYield;
import io.mcpserver.spi.Caller;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/**
 * One TCP client: reads lines into its session until the client closes, and makes sure its running
 * requests end with it. A half-closed socket still gets the answers to what it sent; a client that is
 * gone (reset, or writes fail) has its requests cancelled at once.
 */
final class TcpConnection {

    private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());
    private static final Duration POLL = Duration.ofMillis(50);
    /**
     * Connections that end without authenticating: one line per peer address per 10 s. A flooder refused at the edge
     * reconnects at once, hundreds of times a second, and each connection wrote three lines.
     */
    private static final LogThrottle UNAUTHENTICATED_LOGGED = new LogThrottle(Duration.ofSeconds(10));

    private final McpCore core;
    private final Socket socket;
    private final TcpSettings settings;
    private final LineWriter writer;
    private final ClientConnection connection;
    private final String peer;
    private final String tlsPeer;
    private volatile boolean shuttingDown;
    private volatile boolean authTimedOut;
    private volatile boolean writeTimedOut;

    /**
     * @param certified the caller a verified TLS client certificate stands for; else the connection authenticates
     *                  with its first message at the edge
     */
    TcpConnection(McpCore core, Socket socket, Optional<Caller> certified, TcpSettings settings, String tlsPeer,
                  EdgeAuthenticator edge) throws IOException {
        this.core = core;
        this.socket = socket;
        this.settings = settings;
        this.peer = String.valueOf(socket.getRemoteSocketAddress());
        this.writer = new LineWriter(new BufferedOutputStream(socket.getOutputStream()), "tcp " + peer);
        MessageSink sink = message -> {
            writer.send(message);
            if (writer.isBroken()) {
                closeSocket(); // the client is gone: ends the read loop, which cancels what is still running
            }
        };
        this.connection = certified.map(c -> new ClientConnection(core, "tcp", c, sink, settings.maxMessageSize()))
                .orElseGet(() -> new ClientConnection(core, "tcp", sink, settings.maxMessageSize(), edge, peer));
        connection.onTakenOver(this::closeSocket); // the client came back on another connection: this one is stale
        connection.presence(socket.getInetAddress().getHostAddress() + ":" + socket.getPort(), this::closeSocket);
        this.tlsPeer = tlsPeer;
        // a connection that must authenticate with its first message is logged once it has (or, throttled, when it
        // ends without): anyone can open connections, and a refused one is no news line by line
        LOG.log(connection.authenticated() ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, connectedLine());
    }

    private String connectedLine() {
        return connection.session() + " connected from " + peer + (tlsPeer == null ? "" : " (" + tlsPeer + ")");
    }

    /** The session the connection opened (a resume may replace it later). */
    io.mcpserver.server.protocol.Session session() {
        return connection.session();
    }

    void run() {
        String reason;
        boolean loggedIn = connection.authenticated();
        Thread deadline = loggedIn ? null
                : Thread.ofVirtual().name("mcp-tcp-auth-deadline").start(this::authDeadline);
        try {
            LineReader lines = new LineReader(socket.getInputStream(), settings.maxMessageSize());
            ReaderYield carrier = new ReaderYield();
            while (true) {
                // a principal over its rate is read one line at a time over all its connections, and not while held
                long bytes;
                try (ReadTurn turn = connection.turn()) {
                    LineReader.Raw raw = lines.nextRaw();
                    if (raw == null || !handle(raw)) {
                        break; // the end of the stream; or refused at the edge: one JSON-RPC error, then the end
                    }
                    if (!loggedIn && connection.authenticated()) {
                        loggedIn = true;
                        LOG.log(System.Logger.Level.INFO, connectedLine() + " and authenticated as '"
                                + io.mcpserver.server.protocol.ClientText.shown(connection.session().caller().subject())
                                + "'");
                    }
                    bytes = raw.tooLong() ? raw.oversize() : raw.length();
                }
                // then at its rate and its byte budget: meanwhile nothing is read, so TCP pushes back on the client
                connection.paceReading(0, bytes);
                carrier.afterMessage(bytes, lines.buffered()); // the next line is there already: others' turn now and then
            }
            reason = authTimedOut ? "no authenticating first message within " + settings.authTimeout().toMillis()
                    + " ms (transports.tcp.auth-timeout)" : connection.authenticated() ? drain(connection.session())
                    : "not authenticated";
        } catch (IOException e) {
            reason = shuttingDown ? "server stopping" : writeTimedOut ? notReading()
                    : writer.isBroken() ? "client gone (write failed)" : "connection lost (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "interrupted";
        }
        if (deadline != null) {
            deadline.interrupt();
        }
        Session session = connection.session(); // a resume may have replaced the one the connection opened
        int running = session.inFlightCount();
        var ending = connection.end(false);
        closeSocket();
        String line = session + " disconnected: " + reason + connection.endingNote(ending, running);
        if (connection.authenticated()) {
            LOG.log(System.Logger.Level.INFO, line);
        } else {
            String logged = UNAUTHENTICATED_LOGGED.admit(socket.getInetAddress().getHostAddress(),
                    line + " (from " + peer + ")");
            if (logged != null) {
                LOG.log(System.Logger.Level.INFO, logged);
            }
        }
    }

    /** One line: false when the connection is to end (its first message was refused at the edge). */
    private boolean handle(LineReader.Raw raw) {
        if (raw.tooLong()) {
            connection.tooLarge(raw.oversize());
            return true;
        }
        if (connection.refusedUnparsed(raw.bytes(), raw.length())) {
            return true; // over its rate: refused from its id and method, neither decoded nor parsed
        }
        LineReader.Line line = LineReader.decoded(raw);
        if (line.badEncoding()) {
            connection.badEncoding();
            return true;
        }
        return connection.offer(line.text());
    }

    /**
     * The client shut down its sending side (or closed): answer what is still running, within
     * {@code half-close-timeout}, unless the client turns out to be gone.
     */
    private String drain(Session session) throws InterruptedException {
        if (session.awaitIdle(Duration.ZERO)) {
            return "client closed the connection";
        }
        LOG.log(System.Logger.Level.INFO, session + " closed its sending side; answering its running requests first");
        long deadline = System.nanoTime() + settings.halfCloseTimeout().toNanos();
        while (!session.awaitIdle(POLL)) {
            if (writeTimedOut) {
                return notReading();
            }
            if (writer.isBroken()) {
                return "client gone (write failed)";
            }
            if (shuttingDown) {
                return "server stopping";
            }
            if (System.nanoTime() > deadline) {
                return "client closed its sending side and " + settings.halfCloseTimeout().toMillis()
                        + " ms (transports.tcp.half-close-timeout) passed";
            }
        }
        return "client closed the connection; every request was answered";
    }

    /**
     * With security on, a connection that has not authenticated within {@code auth-timeout} is told so and closed:
     * otherwise {@code max-connections} silent sockets would lock every real client out.
     */
    private void authDeadline() {
        try {
            Thread.sleep(settings.authTimeout());
        } catch (InterruptedException e) {
            return; // the connection ended first
        }
        if (connection.authenticated()) {
            return;
        }
        authTimedOut = true;
        connection.authenticationTimedOut(settings.authTimeout());
        closeSocket();
    }

    /**
     * Called by the transport's watch: a write that has not completed for {@code write-timeout} means a client that
     * stopped reading while answers were due (its socket buffers are full). The connection is dropped, with one log
     * line, rather than holding its session's running requests, their answers and its reader for as long as the
     * client stays connected.
     */
    void checkWrite(long now) {
        Duration limit = settings.writeTimeout();
        if (limit.isZero() || writeTimedOut || writer.blockedNanos(now) < limit.toNanos()) {
            return;
        }
        writeTimedOut = true;
        LOG.log(System.Logger.Level.WARNING, connection.session() + ": a write has not completed for "
                + limit.toMillis() + " ms (transports.tcp.write-timeout): the client is not reading; dropping the connection");
        closeSocket(); // the blocked write fails, the read loop ends, and the session's requests are cancelled
    }

    private String notReading() {
        return "client not reading (a write blocked for " + settings.writeTimeout().toMillis()
                + " ms, transports.tcp.write-timeout)";
    }

    /** Ends the connection from the server's side (shutdown). */
    void shutdown() {
        shuttingDown = true;
        closeSocket();
    }

    /**
     * Closes the socket; with a write in progress (a client that stopped reading), resets it (linger 0) instead. A TLS
     * close first sends close_notify, which waits for the TLS record lock the blocked write holds: an administrator's
     * disconnect and the server's shutdown waited for ever on such a client. A reset fails that write at once.
     */
    private void closeSocket() {
        if (writer.isWriting()) {
            try {
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "tcp " + peer + ": linger: " + e.getMessage());
            }
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing tcp " + peer + ": " + e.getMessage());
        }
    }
}
