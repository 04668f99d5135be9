package io.mcpserver.server.transport.http;

import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncoding;
import io.helidon.http.encoding.ContentEncodingContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Request bodies sent with {@code Content-Encoding: gzip} or {@code deflate}: Helidon decodes them on the way in with
 * these decoders (and refuses any other coding with 400), and {@link Replies#body} reads at most
 * {@code max-message-size} decompressed bytes, so a small body that inflates to gigabytes is answered 413 after
 * reading one buffer past the limit. Decoding only: responses are compressed by {@link ResponseCompression}.
 */
final class RequestDecoding implements ContentEncoding {

    private final String name;

    private RequestDecoding(String name) {
        this.name = name;
    }

    /** The listener's content codings: gzip and deflate, decoding only; nothing found through the service loader. */
    static ContentEncodingContext context() {
        return ContentEncodingContext.builder()
                .contentEncodingsDiscoverServices(false)
                .addContentEncoding(new RequestDecoding("gzip"))
                .addContentEncoding(new RequestDecoding("deflate"))
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return name;
    }

    @Override
    public Set<String> ids() {
        return name.equals("gzip") ? Set.of("gzip", "x-gzip") : Set.of("deflate");
    }

    @Override
    public boolean supportsEncoding() {
        return false;
    }

    @Override
    public boolean supportsDecoding() {
        return true;
    }

    @Override
    public ContentDecoder decoder() {
        return in -> {
            if (!name.equals("gzip")) {
                return new InflaterInputStream(in); // HTTP's deflate is the zlib format (RFC 9110 §8.4.1.2)
            }
            try {
                return new GZIPInputStream(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Override
    public ContentEncoder encoder() {
        return ContentEncoder.NO_OP;
    }
}
