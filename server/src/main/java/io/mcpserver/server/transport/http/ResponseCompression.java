package io.mcpserver.server.transport.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.mcpserver.server.config.HttpSettings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Compresses responses with gzip (else deflate) when the client's {@code Accept-Encoding} asks for it
 * ({@code transports.http.compression.*}): a JSON body once it reaches {@code min-size}, an event stream whatever its
 * size, with every event still flushed on its own (a sync flush of the compressor, so nothing waits in it).
 *
 * <p>An event stream opened by a GET (the session's {@code GET /mcp} stream, legacy {@code /sse}, the REST facade's
 * streams) is compressed only with {@code get-streams}: it stays open as long as its client, mostly idle, and a
 * compressor holds about 260 KB of native memory (zlib's window and hash tables, whatever the level) for as long as
 * the stream is open. Node's fetch, hence the TypeScript SDK, asks for gzip on every request, so by default 10,000
 * idle GET streams would hold about 2.5 GB outside the heap (1.2 GB measured at rest: bench's scale step). A POST's
 * stream ends with its call and carries what is worth compressing: a result.
 *
 * <p>Helidon 4.2.3's own {@code helidon-http-encoding-gzip} was not used: it compresses every response of the
 * listener whatever its size, and its {@code GZIPOutputStream} is not in sync-flush mode, so an SSE event would sit in
 * the compressor until more arrived; the deflate module is not in our Maven mirror. The JDK's
 * {@code java.util.zip} does the compressing here, as it does inside Helidon's module.
 */
final class ResponseCompression implements Filter {

    private static final HeaderName CONTENT_ENCODING = HeaderNames.CONTENT_ENCODING;

    private final HttpSettings.Compression settings;

    ResponseCompression(HttpSettings.Compression settings) {
        this.settings = settings;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String coding = chosen(req.headers().first(HeaderNames.ACCEPT_ENCODING).orElse(null));
        if (coding != null) {
            boolean streams = req.prologue().method() == Method.GET ? settings.getStreams() : settings.eventStreams();
            res.streamFilter(out -> new CompressingStream(out, coding, res, streams));
        }
        chain.proceed();
    }

    /**
     * The coding to answer {@code acceptEncoding} with: {@code gzip} when it is acceptable, else {@code deflate},
     * else null (identity). A coding with {@code q=0} is refused; {@code *} stands for any coding not named.
     */
    static String chosen(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return null;
        }
        Double gzip = null;
        Double deflate = null;
        Double any = null;
        for (String part : acceptEncoding.split(",")) {
            String[] pieces = part.split(";");
            String name = pieces[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < pieces.length; i++) {
                String p = pieces[i].strip().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            switch (name) {
                case "gzip", "x-gzip" -> gzip = q;
                case "deflate" -> deflate = q;
                case "*" -> any = q;
                default -> { }
            }
        }
        double g = gzip != null ? gzip : any != null ? any : 0;
        double d = deflate != null ? deflate : any != null ? any : 0;
        if (g > 0 && g >= d) {
            return "gzip";
        }
        return d > 0 ? "deflate" : null;
    }

    /**
     * Holds the first bytes of a body until it is clear whether compressing is worth it: at {@code min-size}
     * bytes, or at the first flush of an event stream, it sets {@code Content-Encoding} (the headers are not sent
     * yet) and compresses from then on; a body that ends smaller goes as it is, with its length.
     */
    private final class CompressingStream extends OutputStream {

        private final OutputStream out;
        private final String coding;
        private final RoutingResponse res;
        private final boolean eventStreams;
        private ByteArrayOutputStream held = new ByteArrayOutputStream();
        private OutputStream target; // null while undecided

        /** @param eventStreams whether this response is compressed if it turns out to be an event stream */
        CompressingStream(OutputStream out, String coding, RoutingResponse res, boolean eventStreams) {
            this.out = out;
            this.coding = coding;
            this.res = res;
            this.eventStreams = eventStreams;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (target != null) {
                target.write(b, off, len);
                return;
            }
            held.write(b, off, len);
            if (held.size() >= settings.minSize() && !isEventStream()) {
                decide(true);
            }
        }

        @Override
        public void flush() throws IOException {
            if (target == null) {
                if (!isEventStream()) {
                    return; // a JSON body is sent whole at close; nothing asks for it earlier
                }
                decide(eventStreams);
            }
            target.flush(); // a sync flush: the event leaves the compressor and the socket now
        }

        @Override
        public void close() throws IOException {
            if (target == null) {
                boolean eventStream = isEventStream();
                // an event stream sent whole (it had ended before its first write, SseWriter#writeLast) is
                // compressed whatever its size, as when it is flushed event by event; JSON from min-size on
                decide(eventStream ? eventStreams && held.size() > 0 : held.size() >= settings.minSize());
            }
            target.close();
        }

        private boolean isEventStream() {
            return res.headers().first(HeaderNames.CONTENT_TYPE).map(t -> t.startsWith("text/event-stream"))
                    .orElse(false);
        }

        private void decide(boolean compress) throws IOException {
            if (compress) {
                res.headers().set(CONTENT_ENCODING, coding);
                res.headers().remove(HeaderNames.CONTENT_LENGTH);
                String vary = res.headers().first(HeaderNames.VARY).orElse(null);
                res.headers().set(HeaderNames.VARY, vary == null ? "Accept-Encoding" : vary + ", Accept-Encoding");
                target = coding.equals("gzip") ? new GZIPOutputStream(out, 8192, true)
                        : new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION), 8192, true) {
                            @Override
                            public void close() throws IOException {
                                try {
                                    super.close();
                                } finally {
                                    def.end(); // a Deflater passed in is not ended by the stream
                                }
                            }
                        };
            } else {
                target = out;
            }
            held.writeTo(target);
            held = null;
        }
    }
}
