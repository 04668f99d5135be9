package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.json.JsonBuffer;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** How the HTTP endpoints read requests and answer: bounded bodies, JSON bodies, JSON-RPC error bodies. */
final class Replies {

    static final HeaderName SESSION_ID = HeaderNames.create("Mcp-Session-Id");
    static final HeaderName PROTOCOL_VERSION = HeaderNames.create("MCP-Protocol-Version");
    static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    static final HeaderName X_ACCEL_BUFFERING = HeaderNames.create("X-Accel-Buffering");

    /** The most {@link #declared} allocates before a body's bytes arrive: a 64 KB tool argument fits at once. */
    private static final int FIRST_READ = 128 * 1024;

    /** Thrown when a body is over the size limit. */
    static final class TooLarge extends Exception {
        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    private Replies() {
    }

    /** The client's address as {@code host:port}, for presence and logs. */
    static String remote(ServerRequest req) {
        return req.remotePeer().host() + ":" + req.remotePeer().port();
    }

    static String header(ServerRequest req, HeaderName name) {
        java.util.Optional<String> value = req.headers().first(name);
        return value.isEmpty() ? null : value.get().trim();
    }

    /**
     * Reads the body, refusing (before reading, when the length is declared) more than {@code max} bytes. A body
     * with a {@code Content-Encoding} arrives decompressed ({@link RequestDecoding}): its declared length is that
     * of the compressed bytes, so it is read in buffers and refused once the decompressed bytes pass {@code max}.
     */
    static byte[] body(ServerRequest req, long max) throws TooLarge, IOException {
        long declared = declaredLength(req);
        if (declared > max) {
            throw new TooLarge("Message too large: " + declared + " bytes exceeds the limit of " + max + " bytes");
        }
        boolean encoded = req.headers().contains(HeaderNames.CONTENT_ENCODING);
        if (!encoded && declared >= 0 && declared <= Integer.MAX_VALUE - 8) { // the usual case: exactly that much
            try (InputStream in = req.content().inputStream()) {
                return declared(in, (int) declared);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = req.content().inputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (out.size() + (long) n > max) {
                    throw new TooLarge("Message too large: more than " + max + " bytes"
                            + (encoded ? " once decompressed" : ""));
                }
                out.write(buffer, 0, n);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out.toByteArray();
    }

    /**
     * Up to {@code length} bytes (fewer when the stream ends first), read straight into the array returned when they
     * all come: {@code readNBytes(int)} read a 64 KB body in 16 KB pieces and copied them together. The first array
     * is at most {@link #FIRST_READ} and doubles as bytes arrive, so a client that declares megabytes and sends
     * nothing holds no more than that.
     */
    private static byte[] declared(InputStream in, int length) throws IOException {
        byte[] body = new byte[Math.min(length, FIRST_READ)];
        int n = 0;
        while (n < length) {
            if (n == body.length) {
                body = Arrays.copyOf(body, (int) Math.min(length, 2L * body.length));
            }
            int read = in.read(body, n, body.length - n);
            if (read < 0) {
                break;
            }
            n += read;
        }
        return n == body.length ? body : Arrays.copyOf(body, n);
    }

    /**
     * The body parsed as JSON (never null: an empty body is a missing node), or null after answering 413 (over
     * {@code max} bytes) or 400 with a JSON-RPC parse error.
     */
    static JsonNode message(ServerRequest req, ServerResponse res, long max) throws IOException {
        try {
            return Json.parse(body(req, max));
        } catch (TooLarge e) {
            error(res, Status.REQUEST_ENTITY_TOO_LARGE_413, ErrorCodes.INVALID_REQUEST, e.getMessage());
            return null;
        } catch (JsonProcessingException e) {
            error(res, Status.BAD_REQUEST_400, ErrorCodes.PARSE_ERROR, "Parse error: " + e.getOriginalMessage());
            return null;
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            if (!req.headers().contains(HeaderNames.CONTENT_ENCODING)) {
                throw e;
            }
            error(res, Status.BAD_REQUEST_400, ErrorCodes.PARSE_ERROR, "Parse error: the body is not valid "
                    + header(req, HeaderNames.CONTENT_ENCODING) + " (" + e.getMessage() + ")");
            return null;
        }
    }

    /**
     * The Content-Length, or -1 when absent or not a number. Read as text on purpose: Helidon's
     * {@code headers().contentLength()} converts through its global mapper registry, which cost ~6 % of the
     * server's CPU on a small tools/call (bench/: JFR profile of the HTTP hot path).
     */
    static long declaredLength(ServerRequest req) {
        String value = req.headers().first(HeaderNames.CONTENT_LENGTH).orElse(null);
        if (value == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(value.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** True if the Accept header names {@code text/event-stream} (a wildcard alone does not count). */
    static boolean wantsEventStream(String accept) {
        return accept != null && (acceptFlags(accept) & NAMES_EVENT_STREAM) != 0;
    }

    /** True if the Accept header is absent or admits {@code application/json}. */
    static boolean acceptsJson(String accept) {
        return accept == null || accept.isBlank() || (acceptFlags(accept) & ADMITS_JSON) != 0;
    }

    /** True if the Accept header is absent or admits {@code text/event-stream}. */
    static boolean acceptsEventStream(String accept) {
        return accept == null || accept.isBlank() || (acceptFlags(accept) & ADMITS_EVENT_STREAM) != 0;
    }

    private static final int NAMES_EVENT_STREAM = 1;
    private static final int ADMITS_EVENT_STREAM = 2;
    private static final int ADMITS_JSON = 4;

    /**
     * What the media ranges of an Accept header admit, parameters and q-values ignored. Scanned in place: this runs
     * on every POST, where splitting into arrays and streams of strings showed in the request's CPU profile.
     */
    static int acceptFlags(String accept) {
        int flags = 0;
        int length = accept.length();
        int start = 0;
        while (start < length) {
            int comma = accept.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            int semicolon = accept.indexOf(';', start);
            int typeEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
            int from = start;
            while (from < typeEnd && accept.charAt(from) <= ' ') {
                from++;
            }
            int to = typeEnd;
            while (to > from && accept.charAt(to - 1) <= ' ') {
                to--;
            }
            if (is(accept, from, to, "text/event-stream")) {
                flags |= NAMES_EVENT_STREAM | ADMITS_EVENT_STREAM;
            } else if (is(accept, from, to, "application/json") || is(accept, from, to, "application/*")) {
                flags |= ADMITS_JSON;
            } else if (is(accept, from, to, "text/*")) {
                flags |= ADMITS_EVENT_STREAM;
            } else if (is(accept, from, to, "*/*")) {
                flags |= ADMITS_JSON | ADMITS_EVENT_STREAM;
            }
            start = end + 1;
        }
        return flags;
    }

    private static boolean is(String text, int from, int to, String range) {
        return to - from == range.length() && text.regionMatches(true, from, range, 0, range.length());
    }

    /** True for an absent content type and any JSON one ({@code application/json; charset=utf-8}…). */
    static boolean isJsonContent(ServerRequest req) {
        String type = header(req, HeaderNames.CONTENT_TYPE);
        if (type == null) {
            return true;
        }
        for (int i = 0; i + 4 <= type.length(); i++) { // "contains json", ignoring case, without a lowered copy
            if (type.regionMatches(true, i, "json", 0, 4)) {
                return true;
            }
        }
        return false;
    }

    /** 503 with Retry-After: every session this server may hold ({@code max}) is open; {@code advice} says what to do. */
    static void atCapacity(ServerResponse res, JsonNode id, int max, String advice) {
        res.header(HeaderNames.RETRY_AFTER, "10");
        error(res, Status.SERVICE_UNAVAILABLE_503, id, ErrorCodes.LIMIT_EXCEEDED,
                "Server at capacity: " + max + " sessions are open (transports.http.max-sessions); " + advice);
    }

    static void json(ServerResponse res, Status status, JsonNode body) {
        res.status(status);
        res.header(HeaderValues.CONTENT_TYPE_JSON); // one shared header object, not one built per reply
        JsonBuffer bytes = Json.writeBuffer(body);
        res.send(bytes.array(), 0, bytes.length()); // Helidon copies it into its own buffer: no exact-length copy first
    }

    /** An HTTP error whose body is a JSON-RPC error response (id null unless the request's is known). */
    static void error(ServerResponse res, Status status, JsonNode id, int code, String message) {
        json(res, status, JsonRpc.error(id == null ? NullNode.getInstance() : id, code, message, null));
    }

    static void error(ServerResponse res, Status status, int code, String message) {
        error(res, status, null, code, message);
    }
}
