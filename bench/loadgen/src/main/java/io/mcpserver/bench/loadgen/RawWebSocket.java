package io.mcpserver.bench.loadgen;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket that costs its process next to nothing per byte, for the flooder: its frames
 * carry the all-zero masking key (RFC 6455 requires a key, not a random one: masking with zeros leaves the payload
 * as it is, so nothing is copied or XORed), and replies are classified from their first bytes while the rest is
 * read into one scratch buffer. A flooder on another machine costs the server's machine nothing at all; on this
 * 2-core machine the JDK's client, encoding and masking every 512 KiB message and decoding every reply into a
 * string, took most of a core, beside the server and the clients it is measured against.
 */
final class RawWebSocket implements AutoCloseable, Flooder.Outlet {

    /** The first bytes of a message kept for classifying it ({@link Workload#id}, {@link Workload#isResult}). */
    static final int HEAD = 1024;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] NO_MASK = new byte[4];

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] head = new byte[HEAD];
    private final byte[] scratch = new byte[1 << 16];
    private int headLength;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    /**
     * Connects and upgrades with subprotocol {@code mcp} and {@code headers} (e.g. {@code "X-API-Key: k\r\n"}).
     *
     * @throws Flooder.Refused when the server answers the upgrade with anything but 101
     */
    static RawWebSocket open(String host, int port, String path, String headers) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 10_000);
        RawWebSocket ws = new RawWebSocket(s);
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mcp\r\n" + headers + "\r\n";
        try {
            ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
            ws.out.flush();
            String status = ws.responseHead();
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new Flooder.Refused("upgrade: " + status.lines().findFirst().orElse(""));
            }
        } catch (IOException e) {
            s.close();
            throw e instanceof Flooder.Refused r ? r : new Flooder.Refused("upgrade: " + e);
        }
        return ws;
    }

    /** The upgrade's response up to its blank line. */
    private String responseHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed during the upgrade");
            }
            head.write(c);
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** One text message as one final frame; buffered until {@link #flush}. */
    @Override
    public void send(byte[] payload) throws IOException {
        synchronized (out) { // a pong from the reader goes between two messages
            frame(payload);
        }
    }

    private void frame(byte[] payload) throws IOException {
        out.write(0x81); // FIN, text
        int n = payload.length;
        if (n < 126) {
            out.write(0x80 | n);
        } else if (n <= 0xFFFF) {
            out.write(0x80 | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift));
            }
        }
        out.write(NO_MASK);
        out.write(payload);
    }

    @Override
    public void flush() throws IOException {
        synchronized (out) {
            out.flush();
        }
    }

    /**
     * Reads the next whole message (fragments joined) and keeps its first {@link #HEAD} bytes; answers a ping,
     * skips a pong.
     *
     * @return the number of head bytes ({@link #head()}); -1 when the server closed the connection
     */
    int next() throws IOException {
        headLength = 0;
        while (true) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                return -1;
            }
            long length = b1 & 0x7F;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            if ((b1 & 0x80) != 0) { // a server must not mask; skip its key if it does
                readFully(scratch, 4);
            }
            int opcode = b0 & 0x0F;
            if (opcode == 0x8) {
                return -1;
            }
            if (opcode == 0x9 || opcode == 0xA) {
                byte[] body = new byte[(int) length];
                readFully(body, body.length);
                if (opcode == 0x9) {
                    sendControl(0xA, body);
                }
                continue;
            }
            long left = length;
            int keep = (int) Math.min(left, HEAD - headLength);
            readFully(head, headLength, keep);
            headLength += keep;
            left -= keep;
            while (left > 0) {
                int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                if (n < 0) {
                    return -1;
                }
                left -= n;
            }
            if ((b0 & 0x80) != 0) {
                return headLength;
            }
        }
    }

    byte[] head() {
        return head;
    }

    private void sendControl(int opcode, byte[] body) throws IOException {
        synchronized (out) {
            out.write(0x80 | opcode);
            out.write(0x80 | body.length);
            out.write(NO_MASK);
            out.write(body);
            out.flush();
        }
    }

    private int readByte() throws IOException {
        int c = in.read();
        if (c < 0) {
            throw new EOFException();
        }
        return c;
    }

    private void readFully(byte[] into, int n) throws IOException {
        readFully(into, 0, n);
    }

    private void readFully(byte[] into, int off, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int r = in.read(into, off + done, n - done);
            if (r < 0) {
                throw new EOFException();
            }
            done += r;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
