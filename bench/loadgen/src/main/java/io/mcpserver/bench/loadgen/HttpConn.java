package io.mcpserver.bench.loadgen;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client on one keep-alive socket: what a load generator needs and nothing else
 * (no pooling, no redirects, no TLS). Reads Content-Length and chunked bodies, SSE included.
 */
final class HttpConn implements Closeable {

    /**
     * How a client talks to a server. JSON: accepts only application/json, so a Streamable HTTP server answers
     * with one JSON body. SSE: lists both types as the spec asks of clients; our server then answers with an
     * event stream, and the official SDK always does. PLAIN: the limit server (no MCP headers).
     */
    enum Flavor {
        JSON("Accept: application/json\r\n", true),
        SSE("Accept: application/json, text/event-stream\r\n", true),
        PLAIN("Accept: application/json\r\n", false);

        final String accept;
        final boolean mcp;

        Flavor(String accept, boolean mcp) {
            this.accept = accept;
            this.mcp = mcp;
        }
    }

    /** One response: status, the headers the bench cares about, and the body (bytes 0..length). */
    static final class Response {
        int status;
        String contentType;
        String contentEncoding;
        String sessionId;
        byte[] body = new byte[8192];
        int length;

        String bodyText() {
            return new String(body, 0, length, StandardCharsets.UTF_8);
        }

        /** The JSON of a reply: the body, or for an SSE body the last {@code data:} payload. */
        String json() {
            String text = bodyText();
            if (contentType == null || !contentType.startsWith("text/event-stream")) {
                return text;
            }
            String last = null;
            StringBuilder data = null;
            for (String line : text.split("\r?\n", -1)) {
                if (line.startsWith("data:")) {
                    data = data == null ? new StringBuilder() : data.append('\n');
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                } else if (line.isEmpty() && data != null) {
                    last = data.toString();
                    data = null;
                }
            }
            return data != null ? data.toString() : last;
        }
    }

    /** The Content-Encoding of the stream opened by the last {@link #getStream} (null: none). */
    String contentEncoding;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] head;
    private final byte[] line;
    private final byte[] buf;
    private int pos;
    private int lim;
    /** Header lines sent with every request (a credential, for the fairness benchmark); empty by default. */
    private byte[] extraHeaders = new byte[0];

    HttpConn(String host, int port, InetAddress localAddress) throws IOException {
        this(host, port, localAddress, 1 << 16);
    }

    /** {@code bufferSize}: the read buffer; small for the 10,000 idle streams of the scale test. */
    HttpConn(String host, int port, InetAddress localAddress, int bufferSize) throws IOException {
        line = new byte[Math.min(8192, bufferSize)];
        buf = new byte[bufferSize];
        socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000); // a stuck server fails the cell instead of hanging the run
        socket.connect(new InetSocketAddress(host, port), 10_000);
        in = socket.getInputStream();
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        head = ("Host: " + host + ":" + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends {@code headerLines} (each ending in CRLF) with every request from now on. */
    void auth(String headerLines) {
        extraHeaders = headerLines.getBytes(StandardCharsets.US_ASCII);
    }

    /** POSTs a JSON body; the reply lands in {@code into} (reused between calls to spare the garbage). */
    Response post(String path, byte[] body, String sessionId, Flavor flavor, Response into) throws IOException {
        send(path, body, sessionId, flavor);
        return read(into == null ? new Response() : into, true);
    }

    /** Writes a POST without reading its reply (a pipelining client, or one that never reads). */
    void send(String path, byte[] body, String sessionId, Flavor flavor) throws IOException {
        StringBuilder h = new StringBuilder(256);
        h.append("POST ").append(path).append(" HTTP/1.1\r\n");
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(head);
        h.setLength(0);
        h.append("Content-Type: application/json\r\n");
        h.append(flavor.accept);
        if (flavor.mcp) {
            h.append("MCP-Protocol-Version: ").append(Workload.PROTOCOL_VERSION).append("\r\n");
        }
        if (sessionId != null) {
            h.append("Mcp-Session-Id: ").append(sessionId).append("\r\n");
        }
        h.append("Content-Length: ").append(body.length).append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(extraHeaders);
        out.write(CRLF);
        out.write(body);
        out.flush();
    }

    private static final byte[] CRLF = {'\r', '\n'};

    /** A plain GET; the status (the body is read and dropped). */
    int get(String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(head);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(new Response(), true).status;
    }

    /** Ends an MCP session (DELETE with its id); the status, or -1 if the connection failed. */
    int delete(String path, String sessionId) {
        try {
            String h = "DELETE " + path + " HTTP/1.1\r\n";
            out.write(h.getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.write(("MCP-Protocol-Version: " + Workload.PROTOCOL_VERSION + "\r\nMcp-Session-Id: " + sessionId
                    + "\r\nContent-Length: 0\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(extraHeaders);
            out.write(CRLF);
            out.flush();
            return read(new Response(), true).status;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sends a GET and reads only the status line and headers (an event stream stays open). */
    Response getStream(String path, String sessionId) throws IOException {
        return getStream(path, sessionId, null);
    }

    /** {@code acceptEncoding}: e.g. {@code gzip}, as Node's fetch sends it on every request; null for none. */
    Response getStream(String path, String sessionId, String acceptEncoding) throws IOException {
        StringBuilder h = new StringBuilder(256);
        h.append("GET ").append(path).append(" HTTP/1.1\r\n");
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(head);
        h.setLength(0);
        h.append("Accept: text/event-stream\r\n");
        if (acceptEncoding != null) {
            h.append("Accept-Encoding: ").append(acceptEncoding).append("\r\n");
        }
        h.append("MCP-Protocol-Version: ").append(Workload.PROTOCOL_VERSION).append("\r\n");
        if (sessionId != null) {
            h.append("Mcp-Session-Id: ").append(sessionId).append("\r\n");
        }
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Response r = read(new Response(), false);
        contentEncoding = r.contentEncoding;
        return r;
    }

    /** Reads bytes available on an open stream (for SSE: the first event), waiting at most timeoutMs. */
    int readSome(byte[] buffer, int timeoutMs) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(timeoutMs);
        try {
            if (pos < lim) {
                int n = Math.min(buffer.length, lim - pos);
                System.arraycopy(buf, pos, buffer, 0, n);
                pos += n;
                return n;
            }
            return in.read(buffer);
        } catch (java.net.SocketTimeoutException e) {
            return 0;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    private Response read(Response r, boolean withBody) throws IOException {
        int n = readLine();
        while (n == 0) { // tolerate a stray CRLF
            n = readLine();
        }
        // HTTP/1.1 200 OK
        if (n < 12) {
            throw new IOException("bad status line: " + new String(line, 0, n, StandardCharsets.US_ASCII));
        }
        r.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        r.contentType = null;
        r.contentEncoding = null;
        r.sessionId = null;
        r.length = 0;
        long contentLength = -1;
        boolean chunked = false;
        while ((n = readLine()) > 0) {
            int colon = -1;
            for (int i = 0; i < n; i++) {
                if (line[i] == ':') {
                    colon = i;
                    break;
                }
            }
            if (colon <= 0) {
                continue;
            }
            String name = new String(line, 0, colon, StandardCharsets.US_ASCII);
            int v = colon + 1;
            while (v < n && line[v] == ' ') {
                v++;
            }
            switch (name.toLowerCase(Locale.ROOT)) {
                case "content-length" -> contentLength = Long.parseLong(new String(line, v, n - v, StandardCharsets.US_ASCII).trim());
                case "transfer-encoding" -> chunked = new String(line, v, n - v, StandardCharsets.US_ASCII)
                        .toLowerCase(Locale.ROOT).contains("chunked");
                case "content-type" -> r.contentType = new String(line, v, n - v, StandardCharsets.US_ASCII);
                case "content-encoding" -> r.contentEncoding = new String(line, v, n - v, StandardCharsets.US_ASCII);
                case "mcp-session-id" -> r.sessionId = new String(line, v, n - v, StandardCharsets.US_ASCII);
                default -> { }
            }
        }
        if (!withBody) {
            return r;
        }
        if (chunked) {
            while (true) {
                n = readLine();
                int size = 0;
                for (int i = 0; i < n; i++) {
                    int d = Character.digit(line[i], 16);
                    if (d < 0) {
                        break;
                    }
                    size = size * 16 + d;
                }
                if (size == 0) {
                    while (readLine() > 0) { // trailers, then the empty line
                    }
                    break;
                }
                readBody(r, size);
                readLine(); // CRLF after the chunk
            }
        } else if (contentLength > 0) {
            readBody(r, (int) contentLength);
        }
        if (r.contentEncoding != null && r.length > 0) {
            decode(r);
        }
        return r;
    }

    /** A body sent with Content-Encoding gzip or deflate (the client asked for it), decoded in place. */
    private static void decode(Response r) throws IOException {
        java.io.ByteArrayInputStream raw = new java.io.ByteArrayInputStream(r.body, 0, r.length);
        String coding = r.contentEncoding.trim().toLowerCase(Locale.ROOT);
        InputStream in = switch (coding) {
            case "gzip", "x-gzip" -> new java.util.zip.GZIPInputStream(raw);
            case "deflate" -> new java.util.zip.InflaterInputStream(raw);
            default -> throw new IOException("unexpected Content-Encoding: " + r.contentEncoding);
        };
        byte[] plain = in.readAllBytes();
        if (plain.length > r.body.length) {
            r.body = new byte[Math.max(plain.length, r.body.length * 2)];
        }
        System.arraycopy(plain, 0, r.body, 0, plain.length);
        r.length = plain.length;
    }

    private void readBody(Response r, int size) throws IOException {
        if (r.length + size > r.body.length) {
            r.body = Arrays.copyOf(r.body, Math.max(r.body.length * 2, r.length + size));
        }
        int at = r.length;
        int left = size;
        int buffered = Math.min(left, lim - pos);
        System.arraycopy(buf, pos, r.body, at, buffered);
        pos += buffered;
        at += buffered;
        left -= buffered;
        if (left > 0) {
            int got = in.readNBytes(r.body, at, left);
            if (got < left) {
                throw new EOFException("connection closed in a body");
            }
        }
        r.length += size;
    }

    /** One line without CRLF into {@link #line}; its length (lines longer than the buffer are cut). */
    private int readLine() throws IOException {
        int n = 0;
        while (true) {
            if (pos == lim) {
                lim = in.read(buf);
                pos = 0;
                if (lim <= 0) {
                    lim = 0;
                    throw new EOFException("connection closed");
                }
            }
            int b = buf[pos++];
            if (b == '\n') {
                return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
            }
            if (n < line.length) {
                line[n++] = (byte) b;
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
